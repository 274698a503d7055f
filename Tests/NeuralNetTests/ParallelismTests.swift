import NeuralNet
import Testing

/// Ops big enough to take their parallel paths give the same bits as serially.
@Suite struct ParallelismTests {
    static func run(threads: Int) -> [Tensor] {
        Compute.$current.withValue(Compute(threads: threads)) {
            var rng = SplitMix64(seed: 77)
            let x = Variable(rng.uniformTensor([4, 8, 64, 64], -1, 1), requiresGrad: true)
            let w = Variable(rng.uniformTensor([8, 8, 3, 3], -0.2, 0.2), requiresGrad: true)
            let dw = Variable(rng.uniformTensor([8, 1, 3, 3], -0.2, 0.2), requiresGrad: true)
            let g = Variable(Tensor(shape: [8], repeating: 1.5), requiresGrad: true)
            let b = Variable(Tensor(shape: [8], repeating: 0.1), requiresGrad: true)
            let rm = Buffer(Tensor(shape: [8])), rv = Buffer(Tensor(shape: [8], repeating: 1))
            let h = batchNorm2d(conv2d(x, weight: w, options: Conv2dOptions(padding: 1)), weight: g, bias: b,
                                runningMean: rm, runningVar: rv, training: true)
            let d = conv2d(silu(h), weight: dw, options: Conv2dOptions(padding: 1, groups: 8))
            let y = upsampleNearest(maxPool2d(relu(d), kernel: 2)) + sigmoid(h)
            y.backward(seed: y.value)
            return [y.value, x.grad!, g.grad!, b.grad!, rm.value, rv.value]
        }
    }

    @Test func elementwiseAndChannelParallelOpsAreSplitInvariant() {
        let serial = Self.run(threads: 1), parallel = Self.run(threads: 2)
        // Outputs, input gradients and batch-norm statistics do not depend on the split.
        for (s, p) in zip(serial, parallel) { #expect(s == p) }
    }
}
