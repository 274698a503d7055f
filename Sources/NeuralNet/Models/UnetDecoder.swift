/// A decoder of smp features (finest first, input included) into the last
/// decoder feature map, which the segmentation head turns into logits.
protocol SegmentationDecoder: AnyObject {
    func decode(_ features: [Variable]) -> Variable
}

/// smp's `UnetDecoder` (no centre block, no attention, batch norm):
/// block `i` upsamples x2 (nearest), concatenates the skip feature of the
/// same resolution when there is one, then two 3x3 conv-BN-ReLU
/// (`decoder.blocks.i.conv1.{0,1}`, `decoder.blocks.i.conv2.{0,1}`).
final class UnetDecoder: SegmentationDecoder {
    let blocks: [(conv1: ConvBatchNorm, conv2: ConvBatchNorm)]

    /// `encoderChannels` is the encoder's `outChannels` (input first).
    init(_ scope: Scope, cache: InferenceCache, encoderChannels: [Int], decoderChannels: [Int]) {
        let reversed = Array(encoderChannels.dropFirst().reversed())
        let inChannels = [reversed[0]] + decoderChannels.dropLast()
        let skipChannels = Array(reversed.dropFirst()) + [0]
        var rng = scope.store.rng
        blocks = decoderChannels.indices.map { i in
            let block = scope.child("blocks").child(i), out = decoderChannels[i]
            let c1 = ConvBatchNorm(sequential: block.child("conv1"), cache: cache, in: inChannels[i] + skipChannels[i], out: out, kernel: 3, padding: 1)
            let c2 = ConvBatchNorm(sequential: block.child("conv2"), cache: cache, in: out, out: out, kernel: 3, padding: 1)
            ModelInit.kaimingUniform(c1.conv.weight, rng: &rng)
            ModelInit.kaimingUniform(c2.conv.weight, rng: &rng)
            return (c1, c2)
        }
        scope.store.rng = rng
    }

    func decode(_ features: [Variable]) -> Variable {
        let reversed = Array(features.dropFirst().reversed())
        var x = reversed[0]
        let skips = reversed.dropFirst()
        for (i, block) in blocks.enumerated() {
            let skip = i < skips.count ? skips[skips.startIndex + i] : nil
            x = block.conv2(block.conv1(upsampling: x, concat: skip, activation: .relu), activation: .relu)
        }
        return x
    }
}

/// smp's `LinknetDecoder`: block `i` is 1x1 conv-BN-ReLU to `in/4` channels
/// (`block.0`), a 4x4 stride-2 transposed conv (with bias)-BN-ReLU (`block.1`),
/// 1x1 conv-BN-ReLU to the next width (`block.2`), plus the skip of the same
/// resolution when there is one. Channels: encoder outputs coarsest first, then 32.
final class LinknetDecoder: SegmentationDecoder {
    struct Block {
        let reduce: ConvBatchNorm
        let upWeight: Variable
        let upBias: Variable
        let upNorm: BatchNorm2d
        let expand: ConvBatchNorm
    }
    let blocks: [Block]
    let cache: InferenceCache
    static let prefinalChannels = 32

    init(_ scope: Scope, cache: InferenceCache, encoderChannels: [Int], depth: Int) {
        self.cache = cache
        let channels = Array(encoderChannels.dropFirst().reversed()) + [Self.prefinalChannels]
        var rng = scope.store.rng
        var built: [Block] = []
        for i in 0..<depth {
            let s = scope.child("blocks").child(i).child("block"), cin = channels[i], mid = cin / 4
            let reduce = ConvBatchNorm(sequential: s.child(0), cache: cache, in: cin, out: mid, kernel: 1, padding: 0)
            let up = s.child(1)
            let bound = 1 / Float(mid * 16).squareRoot()
            let w = up.child(0).parameter("weight", rng.uniformTensor([mid, mid, 4, 4], -bound, bound))
            let b = up.child(0).parameter("bias", rng.uniformTensor([mid], -bound, bound))
            let norm = BatchNorm2d(up.child(1), features: mid)
            let expand = ConvBatchNorm(sequential: s.child(2), cache: cache, in: mid, out: channels[i + 1], kernel: 1, padding: 0)
            ModelInit.kaimingUniform(reduce.conv.weight, rng: &rng)
            ModelInit.kaimingUniform(expand.conv.weight, rng: &rng)
            built.append(Block(reduce: reduce, upWeight: w, upBias: b, upNorm: norm, expand: expand))
        }
        blocks = built
        scope.store.rng = rng
    }

    func decode(_ features: [Variable]) -> Variable {
        let reversed = Array(features.dropFirst().reversed())
        var x = reversed[0]
        let skips = reversed.dropFirst()
        for (i, b) in blocks.enumerated() {
            x = b.reduce(x, activation: .relu)
            x = convTranspose2d(x, weight: cache.use(b.upWeight), bias: cache.use(b.upBias), stride: 2, padding: 1)
            x = cache.inference
                ? batchNorm2d(x, weight: cache.use(b.upNorm.weight), bias: cache.use(b.upNorm.bias), runningMean: b.upNorm.runningMean,
                              runningVar: b.upNorm.runningVar, training: false, eps: b.upNorm.eps, activation: .relu)
                : b.upNorm(x, activation: .relu)
            x = b.expand(x, activation: .relu)
            if i < skips.count { x = x + skips[skips.startIndex + i] }
        }
        return x
    }
}
