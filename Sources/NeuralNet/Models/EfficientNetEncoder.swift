/// smp's `efficientnet-b*` encoder (lukemelas' EfficientNet without `_fc`):
/// `_conv_stem` 3x3/2 + `_bn0` + swish (feature 1), then `_blocks.*`, whose
/// outputs at the config's `outIndexes` are features 2..5. `_conv_head` and
/// `_bn1` are registered (they are in smp's state dict) but not run.
final class EfficientNetEncoder: SegmentationEncoder {
    let config: EfficientNetConfig
    let stem: ConvBatchNorm
    let blocks: [MBConvBlock]
    let head: ConvBatchNorm
    let depth: Int
    let outChannels: [Int]
    private let store: ParameterStore

    init(_ scope: Scope, cache: InferenceCache, config: EfficientNetConfig, depth: Int) {
        self.config = config
        self.depth = depth
        store = scope.store
        let pad = config.stemPadding
        stem = ConvBatchNorm(conv: scope.child("_conv_stem"), bn: scope.child("_bn0"), cache: cache, in: 3, out: config.stemChannels,
                             kernel: 3, options: Conv2dOptions(stride: 2, padding: .explicit(Padding2d(
                                 top: pad.before, bottom: pad.after, left: pad.before, right: pad.after))),
                             eps: config.batchNormEpsilon, momentum: config.batchNormMomentum)
        let specs = config.blocks
        blocks = specs.enumerated().map { i, spec in
            MBConvBlock(scope.child("_blocks").child(i), cache: cache, spec: spec, eps: config.batchNormEpsilon, momentum: config.batchNormMomentum)
        }
        head = ConvBatchNorm(conv: scope.child("_conv_head"), bn: scope.child("_bn1"), cache: cache, in: specs.last!.outputChannels,
                             out: config.headChannels, kernel: 1, eps: config.batchNormEpsilon, momentum: config.batchNormMomentum)
        outChannels = Array(config.outChannels.prefix(depth + 1))
    }

    func features(_ x: Variable) -> [Variable] {
        var out = [x]
        var h = stem(x, activation: .silu)
        out.append(h)
        let wanted = config.outIndexes.prefix(depth - 1)
        guard let last = wanted.last else { return out }
        for i in 0...last {
            let rate = store.training ? config.dropConnectRate * Double(i) / Double(blocks.count) : 0
            h = blocks[i](h, dropConnect: Float(rate), rng: &store.rng)
            if wanted.contains(i) { out.append(h) }
        }
        return out
    }
}

/// The mobile inverted bottleneck block (`MBConvBlock`): optional 1x1
/// expansion (`_expand_conv`, `_bn0`, swish), depthwise conv with static TF
/// padding (`_depthwise_conv`, `_bn1`, swish), squeeze-and-excitation
/// (global average, `_se_reduce` + swish, `_se_expand` + sigmoid, gate), 1x1
/// projection (`_project_conv`, `_bn2`), and, when the shape is kept, the
/// identity skip with drop-connect in training.
final class MBConvBlock {
    let spec: MBConvBlockSpec
    let expand: ConvBatchNorm?
    let depthwise: ConvBatchNorm
    let seReduce: Conv2d
    let seExpand: Conv2d
    let project: ConvBatchNorm
    let cache: InferenceCache

    init(_ scope: Scope, cache: InferenceCache, spec: MBConvBlockSpec, eps: Float, momentum: Float) {
        self.spec = spec
        self.cache = cache
        let inC = spec.inputChannels, mid = spec.expandedChannels
        expand = spec.expandRatio != 1
            ? ConvBatchNorm(conv: scope.child("_expand_conv"), bn: scope.child("_bn0"), cache: cache, in: inC, out: mid, kernel: 1,
                            eps: eps, momentum: momentum)
            : nil
        let p = spec.padding
        depthwise = ConvBatchNorm(conv: scope.child("_depthwise_conv"), bn: scope.child("_bn1"), cache: cache, in: mid, out: mid,
                                  kernel: spec.kernel,
                                  options: Conv2dOptions(stride: Size2d(spec.stride, spec.stride),
                                                         padding: .explicit(Padding2d(top: p.before, bottom: p.after, left: p.before, right: p.after)),
                                                         groups: mid),
                                  eps: eps, momentum: momentum)
        seReduce = Conv2d(scope.child("_se_reduce"), inChannels: mid, outChannels: spec.squeezedChannels, kernelSize: 1)
        seExpand = Conv2d(scope.child("_se_expand"), inChannels: spec.squeezedChannels, outChannels: mid, kernelSize: 1)
        project = ConvBatchNorm(conv: scope.child("_project_conv"), bn: scope.child("_bn2"), cache: cache, in: mid,
                                out: spec.outputChannels, kernel: 1, eps: eps, momentum: momentum)
    }

    /// The block on `x`; `dropConnect` > 0 (training only) drops the residual branch per sample.
    func callAsFunction(_ x: Variable, dropConnect: Float, rng: inout SplitMix64) -> Variable {
        var h = x
        if let expand { h = expand(h, activation: .silu) }
        h = depthwise(h, activation: .silu)
        let squeezed = adaptiveAvgPool2d(h, output: 1)
        let reduced = conv2d(squeezed, weight: cache.use(seReduce.weight), bias: cache.use(seReduce.bias))
        let gate = conv2d(silu(reduced), weight: cache.use(seExpand.weight), bias: cache.use(seExpand.bias))
        h = h * sigmoid(gate)
        guard spec.hasSkip else { return project(h) }
        guard dropConnect > 0 else { return project(h, residual: x) }
        return project(h) * Self.dropConnectMask(like: x.shape, p: dropConnect, rng: &rng) + x
    }

    /// Per-sample keep mask scaled by 1/keep, `[n, c, 1, 1]` (efficientnet_pytorch's `drop_connect`).
    static func dropConnectMask(like shape: [Int], p: Float, rng: inout SplitMix64) -> Variable {
        let n = shape[0], c = shape[1], keep = 1 - p
        var mask = Tensor(shape: [n, c, 1, 1])
        for i in 0..<n {
            let kept: Float = (keep + rng.nextUniform()).rounded(.down) / keep
            for ch in 0..<c { mask.storage[i * c + ch] = kept }
        }
        return Variable(mask)
    }
}
