/// The segmentation architectures pipe builds, named as smp names them.
public enum SegmentationArch: String, Sendable, CaseIterable, Codable {
    /// `smp.Unet`: nearest x2 upsampling, concatenated skips, two conv-BN-ReLU per block, 3x3 head.
    case unet
    /// `smp.Linknet`: 1x1 / transposed 4x4 / 1x1 conv-BN-ReLU blocks, added skips, 32 channels, 1x1 head.
    case linknet
}

/// The encoders pipe builds, with smp's names (`resnet18`, `efficientnet-b3`).
public enum EncoderName: Hashable, Sendable, CustomStringConvertible {
    case resnet18
    case resnet34
    /// `efficientnet-b<variant>`, variant 0...7 (lukemelas' efficientnet_pytorch, as smp vendors it).
    case efficientnet(Int)

    /// Every supported encoder, in smp's spelling.
    public static let all: [EncoderName] = [.resnet18, .resnet34] + (0...7).map { .efficientnet($0) }

    /// Parses smp's name; nil for anything else.
    public init?(_ name: String) {
        guard let match = Self.all.first(where: { $0.description == name }) else { return nil }
        self = match
    }

    public var description: String {
        switch self {
        case .resnet18: "resnet18"
        case .resnet34: "resnet34"
        case .efficientnet(let b): "efficientnet-b\(b)"
        }
    }

    /// Channels of the features the encoder returns at depth 5 (smp's `out_channels`).
    public var outChannels: [Int] {
        switch self {
        case .resnet18, .resnet34: [3, 64, 64, 128, 256, 512]
        case .efficientnet: EfficientNetConfig(named: description)!.outChannels
        }
    }

    /// The depths smp accepts for this encoder.
    public var depthRange: ClosedRange<Int> {
        switch self {
        case .resnet18, .resnet34: 1...5
        case .efficientnet: 2...5
        }
    }
}

/// Everything that fixes a model's parameter names and shapes: smp's
/// `Unet(encoder_name, encoder_depth, decoder_channels, in_channels=3, classes=1)`
/// or `Linknet(encoder_name, encoder_depth, in_channels=3, classes=1)`.
public struct SegmentationModelConfig: Hashable, Sendable, CustomStringConvertible {
    public var arch: SegmentationArch
    public var encoder: EncoderName
    /// Number of downsampling stages used, 1...5 (2...5 for EfficientNet); input sides must divide by `2^depth`.
    public var encoderDepth: Int
    /// Unet only: output channels of each decoder block, one per stage (smp default 256, 128, 64, 32, 16).
    public var decoderChannels: [Int]
    /// Output channels (logits); pipe uses 1.
    public var classes: Int

    public static let defaultDecoderChannels = [256, 128, 64, 32, 16]

    /// A configuration; `decoderChannels` defaults to smp's, cut to `encoderDepth` entries.
    public init(arch: SegmentationArch, encoder: EncoderName, encoderDepth: Int = 5,
                decoderChannels: [Int]? = nil, classes: Int = 1) {
        self.arch = arch
        self.encoder = encoder
        self.encoderDepth = encoderDepth
        self.decoderChannels = decoderChannels ?? Array(Self.defaultDecoderChannels.prefix(max(0, encoderDepth)))
        self.classes = classes
    }

    /// Checks the combination the way smp does; throws `NeuralNetError.invalidArgument`.
    public func validate() throws {
        guard encoder.depthRange.contains(encoderDepth) else {
            throw NeuralNetError(.invalidArgument, "encoder depth \(encoderDepth) is not supported by '\(encoder)'; use \(encoder.depthRange.lowerBound) to \(encoder.depthRange.upperBound)")
        }
        if arch == .unet && decoderChannels.count != encoderDepth {
            throw NeuralNetError(.invalidArgument, "decoder channels \(decoderChannels) give \(decoderChannels.count) blocks but encoder depth is \(encoderDepth); give one channel count per stage")
        }
        guard decoderChannels.allSatisfy({ $0 > 0 }), classes > 0 else {
            throw NeuralNetError(.invalidArgument, "decoder channels \(decoderChannels) and classes \(classes) must be positive")
        }
        if let wide = decoderChannels.first(where: { $0 > Self.maxChannels }) {
            throw NeuralNetError(.invalidArgument, "decoder_channels entry \(wide) is over the largest supported, \(Self.maxChannels); smp's default is 256, 128, 64, 32, 16")
        }
        guard classes <= Self.maxChannels else {
            throw NeuralNetError(.invalidArgument, "classes \(classes) is over the largest supported, \(Self.maxChannels)")
        }
        let weightBytes = decoderWeightBound * 4
        guard weightBytes <= TensorLimits.maxBytes else {
            throw NeuralNetError(.invalidArgument, "decoder_channels \(decoderChannels) need about \(weightBytes >> 20) MiB of decoder weights, over the budget of \(TensorLimits.maxBytes >> 20) MiB (PIPE_MAX_BYTES); use narrower blocks")
        }
    }

    /// An upper bound on the Unet decoder's 3x3 weights (two convolutions a block, the widest encoder
    /// feature taken as every block's skip), so a config is refused before its weights are allocated.
    var decoderWeightBound: Int {
        guard arch == .unet else { return 0 }
        let widest = encoder.outChannels.max() ?? 0
        var total = 0, input = widest
        for out in decoderChannels {
            total += 9 * out * (input + widest + out)   // each factor is at most 4096 after the checks above
            input = out
        }
        return total
    }

    /// The most channels a decoder block or the head may have: 16x smp's widest default block, and
    /// low enough that no configuration can ask for more memory than its weights plausibly need.
    public static let maxChannels = 4096

    /// Input height and width must be multiples of this (smp's output stride).
    public var inputMultiple: Int { 1 << encoderDepth }

    public var description: String {
        arch == .unet ? "unet-\(encoder) depth \(encoderDepth) decoder \(decoderChannels)" : "linknet-\(encoder) depth \(encoderDepth)"
    }
}
