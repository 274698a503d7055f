/// torchvision's ResNet with BasicBlocks as smp's `resnet18`/`resnet34`
/// encoders hold it (`fc` and `avgpool` removed; every layer kept, whatever the depth):
/// `conv1` 7x7/2, `bn1`, ReLU (feature 1), 3x3/2 max pool, `layer1`..`layer4` (features 2..5).
final class ResNetEncoder: SegmentationEncoder {
    let stem: ConvBatchNorm
    let layers: [[BasicBlock]]
    let depth: Int
    let outChannels: [Int]

    /// `blocks` per layer: [2, 2, 2, 2] for resnet18, [3, 4, 6, 3] for resnet34.
    init(_ scope: Scope, cache: InferenceCache, blocks: [Int], depth: Int) {
        var rng = scope.store.rng
        stem = ConvBatchNorm(conv: scope.child("conv1"), bn: scope.child("bn1"), cache: cache, in: 3, out: 64, kernel: 7,
                             options: Conv2dOptions(stride: 2, padding: 3))
        var inplanes = 64
        var built: [[BasicBlock]] = []
        for (i, count) in blocks.enumerated() {
            let planes = 64 << i, layer = scope.child("layer\(i + 1)")
            built.append((0..<count).map { b in
                defer { inplanes = planes }
                return BasicBlock(layer.child(b), cache: cache, inplanes: inplanes, planes: planes, stride: b == 0 && i > 0 ? 2 : 1)
            })
        }
        layers = built
        self.depth = depth
        outChannels = Array([3, 64, 64, 128, 256, 512].prefix(depth + 1))
        ModelInit.kaimingNormalFanOut(stem.conv.weight, rng: &rng)
        for block in layers.joined() { block.initialize(rng: &rng) }
        scope.store.rng = rng
    }

    func features(_ x: Variable) -> [Variable] {
        var out = [x]
        var h = stem(x, activation: .relu)
        out.append(h)
        if depth >= 2 { h = maxPool2d(h, kernel: 3, stride: 2, padding: 1) }
        for (i, layer) in layers.enumerated() where depth >= i + 2 {
            for block in layer { h = block(h) }
            out.append(h)
        }
        return out
    }
}

/// torchvision's `BasicBlock`: conv3x3(stride)-BN-ReLU-conv3x3-BN, plus the
/// input (through `downsample` = 1x1 conv(stride) + BN when the shape changes), then ReLU.
final class BasicBlock {
    let first: ConvBatchNorm
    let second: ConvBatchNorm
    let downsample: ConvBatchNorm?

    init(_ scope: Scope, cache: InferenceCache, inplanes: Int, planes: Int, stride: Int) {
        first = ConvBatchNorm(conv: scope.child("conv1"), bn: scope.child("bn1"), cache: cache, in: inplanes, out: planes, kernel: 3,
                              options: Conv2dOptions(stride: Size2d(stride, stride), padding: 1))
        second = ConvBatchNorm(conv: scope.child("conv2"), bn: scope.child("bn2"), cache: cache, in: planes, out: planes, kernel: 3,
                               options: Conv2dOptions(padding: 1))
        downsample = stride != 1 || inplanes != planes
            ? ConvBatchNorm(conv: scope.child("downsample").child(0), bn: scope.child("downsample").child(1), cache: cache,
                            in: inplanes, out: planes, kernel: 1, options: Conv2dOptions(stride: Size2d(stride, stride)))
            : nil
    }

    func initialize(rng: inout SplitMix64) {
        for cb in [first, second] + (downsample.map { [$0] } ?? []) { ModelInit.kaimingNormalFanOut(cb.conv.weight, rng: &rng) }
    }

    func callAsFunction(_ x: Variable) -> Variable {
        second(first(x, activation: .relu), residual: downsample?(x) ?? x, activation: .relu)
    }
}
