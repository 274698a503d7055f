import Foundation

/// One stage of the EfficientNet-B0 base network (the block strings of the
/// reference implementation, e.g. `r2_k3_s22_e6_i16_o24_se0.25`), before scaling.
public struct MBConvStage: Sendable, Hashable {
    public var repeats: Int
    public var kernel: Int
    public var stride: Int
    public var expandRatio: Int
    public var inputFilters: Int
    public var outputFilters: Int
    public var seRatio: Double
}

/// One mobile inverted bottleneck block after compound scaling, with the
/// static TF-"same" padding the reference computes from the nominal image size.
public struct MBConvBlockSpec: Sendable, Hashable {
    public var inputChannels: Int
    public var outputChannels: Int
    /// `inputChannels * expandRatio`; no expansion conv when the ratio is 1.
    public var expandRatio: Int
    public var kernel: Int
    public var stride: Int
    /// Channels of the squeeze-and-excitation bottleneck: `max(1, int(input * se_ratio))`.
    public var squeezedChannels: Int
    /// Padding of the depthwise convolution (top/left, bottom/right), fixed at construction.
    public var padding: (before: Int, after: Int)
    /// Identity skip (and drop-connect) when the block keeps shape.
    public var hasSkip: Bool { stride == 1 && inputChannels == outputChannels }
    public var expandedChannels: Int { inputChannels * expandRatio }

    public static func == (a: Self, b: Self) -> Bool {
        (a.inputChannels, a.outputChannels, a.expandRatio, a.kernel, a.stride, a.squeezedChannels)
            == (b.inputChannels, b.outputChannels, b.expandRatio, b.kernel, b.stride, b.squeezedChannels)
            && a.padding == b.padding
    }
    public func hash(into h: inout Hasher) { h.combine(inputChannels); h.combine(outputChannels); h.combine(kernel) }
}

/// EfficientNet-B0..B7 as segmentation_models_pytorch builds them for its
/// `efficientnet-b*` encoders (lukemelas' efficientnet_pytorch): compound
/// scaling of the B0 stages by width and depth coefficients (filters rounded
/// to multiples of 8, never down by more than 10%; repeats rounded up), batch
/// norm momentum 0.01 / eps 1e-3, and Conv2dStaticSamePadding, whose padding
/// is fixed from the nominal resolution of each variant, not the input.
public struct EfficientNetConfig: Sendable, Hashable {
    /// smp's encoder name, `efficientnet-b0` ... `efficientnet-b7`.
    public let name: String
    public let widthCoefficient: Double
    public let depthCoefficient: Double
    /// The nominal input resolution, which fixes every static padding.
    public let resolution: Int
    /// Indexes of the blocks whose outputs smp returns as features 2...5.
    public let outIndexes: [Int]
    /// Drop-connect (stochastic depth) rate at the last block; block `i` uses `rate * i / blocks`.
    public let dropConnectRate: Double = 0.2
    public let batchNormEpsilon: Float = 1e-3
    /// PyTorch momentum (1 - 0.99).
    public let batchNormMomentum: Float = 0.01

    /// The B0 stages (efficientnet_pytorch `efficientnet()` block strings).
    public static let baseStages: [MBConvStage] = [
        MBConvStage(repeats: 1, kernel: 3, stride: 1, expandRatio: 1, inputFilters: 32, outputFilters: 16, seRatio: 0.25),
        MBConvStage(repeats: 2, kernel: 3, stride: 2, expandRatio: 6, inputFilters: 16, outputFilters: 24, seRatio: 0.25),
        MBConvStage(repeats: 2, kernel: 5, stride: 2, expandRatio: 6, inputFilters: 24, outputFilters: 40, seRatio: 0.25),
        MBConvStage(repeats: 3, kernel: 3, stride: 2, expandRatio: 6, inputFilters: 40, outputFilters: 80, seRatio: 0.25),
        MBConvStage(repeats: 3, kernel: 5, stride: 1, expandRatio: 6, inputFilters: 80, outputFilters: 112, seRatio: 0.25),
        MBConvStage(repeats: 4, kernel: 5, stride: 2, expandRatio: 6, inputFilters: 112, outputFilters: 192, seRatio: 0.25),
        MBConvStage(repeats: 1, kernel: 3, stride: 1, expandRatio: 6, inputFilters: 192, outputFilters: 320, seRatio: 0.25),
    ]

    /// (width, depth, resolution) per variant, and smp's `out_indexes`.
    static let variants: [String: (Double, Double, Int, [Int])] = [
        "efficientnet-b0": (1.0, 1.0, 224, [2, 4, 8, 15]),
        "efficientnet-b1": (1.0, 1.1, 240, [4, 7, 15, 22]),
        "efficientnet-b2": (1.1, 1.2, 260, [4, 7, 15, 22]),
        "efficientnet-b3": (1.2, 1.4, 300, [4, 7, 17, 25]),
        "efficientnet-b4": (1.4, 1.8, 380, [5, 9, 21, 31]),
        "efficientnet-b5": (1.6, 2.2, 456, [7, 12, 26, 38]),
        "efficientnet-b6": (1.8, 2.6, 528, [8, 14, 30, 44]),
        "efficientnet-b7": (2.0, 3.1, 600, [10, 17, 37, 54]),
    ]

    /// Every supported variant name, b0 first.
    public static let names: [String] = (0...7).map { "efficientnet-b\($0)" }

    /// The variant called `name`, or nil.
    public init?(named name: String) {
        guard let v = Self.variants[name] else { return nil }
        self.name = name
        (widthCoefficient, depthCoefficient, resolution, outIndexes) = v
    }

    /// `round_filters`: scale by width, round to a multiple of 8, never more than 10% down.
    public func roundFilters(_ filters: Int) -> Int {
        let divisor = 8.0
        let scaled = Double(filters) * widthCoefficient
        var rounded = max(divisor, Double(Int(scaled + divisor / 2) / Int(divisor)) * divisor)
        if rounded < 0.9 * scaled { rounded += divisor }
        return Int(rounded)
    }

    /// `round_repeats`: scale by depth, round up.
    public func roundRepeats(_ repeats: Int) -> Int { Int((depthCoefficient * Double(repeats)).rounded(.up)) }

    /// Channels of the stem convolution.
    public var stemChannels: Int { roundFilters(32) }
    /// Channels of the (unused by smp, but saved) head convolution.
    public var headChannels: Int { roundFilters(1280) }

    /// TF "same" padding (before, after) of a `kernel`/`stride` convolution on a `size` input.
    public static func samePadding(size: Int, kernel: Int, stride: Int) -> (before: Int, after: Int) {
        let out = (size + stride - 1) / stride
        let total = max((out - 1) * stride + kernel - size, 0)
        return (total / 2, total - total / 2)
    }

    /// Padding of the stride-2 3x3 stem at the nominal resolution.
    public var stemPadding: (before: Int, after: Int) { Self.samePadding(size: resolution, kernel: 3, stride: 2) }

    /// Every block in order, as the reference expands the scaled stages.
    public var blocks: [MBConvBlockSpec] {
        var out: [MBConvBlockSpec] = []
        var size = (resolution + 1) / 2
        for stage in Self.baseStages {
            let input = roundFilters(stage.inputFilters), output = roundFilters(stage.outputFilters)
            for i in 0..<roundRepeats(stage.repeats) {
                let inC = i == 0 ? input : output, stride = i == 0 ? stage.stride : 1
                out.append(MBConvBlockSpec(
                    inputChannels: inC, outputChannels: output, expandRatio: stage.expandRatio,
                    kernel: stage.kernel, stride: stride,
                    squeezedChannels: max(1, Int(Double(inC) * stage.seRatio)),
                    padding: Self.samePadding(size: size, kernel: stage.kernel, stride: stride)))
                if i == 0 { size = (size + stage.stride - 1) / stage.stride }
            }
        }
        return out
    }

    /// smp's `out_channels`: input, stem, then the outputs of the `outIndexes` blocks.
    public var outChannels: [Int] {
        let b = blocks
        return [3, stemChannels] + outIndexes.map { b[$0].outputChannels }
    }
}
