@testable import NeuralNet
import Testing
import TestSupport

/// `batchNorm2d(x, residual:, activation:)` gives, bit for bit, what batch
/// norm, `+ residual` and the activation give as separate ops, forward and
/// backward, in training and eval, with a residual that needs a gradient, one
/// that does not, and none; with the AVX2 kernels (SiLU's lanes) and without.
@Suite struct FusedBatchNormTests {
    enum Residual: CaseIterable { case none, constant, trainable }

    @Test(arguments: [true, false], [Activation.identity, .relu, .silu])
    func fusedEqualsSeparateOps(training: Bool, activation: Activation) {
        for residual in Residual.allCases { for threads in [1, 3] { for kernels in Set([KernelSupport.available, false]) {
            KernelSupport.$enabled.withValue(kernels) { Compute.$current.withValue(Compute(threads: threads)) {
                fusedCase(training: training, activation: activation, residual: residual)
            }}
        }}}
    }

    private func fusedCase(training: Bool, activation: Activation, residual: Residual) {
        var rng = SeededRandom(seed: 90)
        // 35-element planes: four 8-lane steps and a 3-element tail.
        let x = randomTensor([2, 3, 5, 7], &rng), gamma = randomTensor([3], &rng, 0.5, 1.5), beta = randomTensor([3], &rng)
        let mean = randomTensor([3], &rng), variance = randomTensor([3], &rng, 0.5, 2)
        var r = randomTensor([2, 3, 5, 7], &rng, -2, 2)
        r.storage[0] = -x.storage[0]
        let seed = randomTensor([2, 3, 5, 7], &rng)

        func run(fused: Bool) -> (y: Tensor, grads: [Tensor?], runningMean: Tensor) {
            let xv = Variable(x, requiresGrad: true), g = Variable(gamma, requiresGrad: true), b = Variable(beta, requiresGrad: true)
            let rv = residual == .none ? nil : Variable(r, requiresGrad: residual == .trainable)
            let rm = Buffer(mean), rvar = Buffer(variance)
            let y: Variable
            if fused {
                y = batchNorm2d(xv, weight: g, bias: b, runningMean: rm, runningVar: rvar, training: training,
                                residual: rv, activation: activation)
            } else {
                let n = batchNorm2d(xv, weight: g, bias: b, runningMean: rm, runningVar: rvar, training: training)
                y = activation(rv.map { n + $0 } ?? n)
            }
            y.backward(seed: seed)
            return (y.value, [xv.grad, g.grad, b.grad, rv?.grad], rm.value)
        }
        let fused = run(fused: true), separate = run(fused: false)
        let label = "training \(training), \(activation), residual \(residual)"
        #expect(fused.y.storage.map(\.bitPattern) == separate.y.storage.map(\.bitPattern), "\(label): output")
        #expect(fused.runningMean.storage == separate.runningMean.storage, "\(label): running mean")
        for (i, (a, b)) in zip(fused.grads, separate.grads).enumerated() {
            #expect(a?.storage.map(\.bitPattern) == b?.storage.map(\.bitPattern), "\(label): gradient \(i)")
        }
        if residual == .trainable { #expect(fused.grads[3] != nil, "\(label): the residual gets a gradient") }
    }

    @Test(arguments: [Activation.relu, .silu])
    func fusedGradientsMatchFiniteDifferences(activation: Activation) {
        var rng = SeededRandom(seed: 91)
        let x = randomTensor([3, 2, 3, 4], &rng), g = randomTensor([2], &rng, 0.5, 1.5), b = randomTensor([2], &rng)
        let r = randomTensor([3, 2, 3, 4], &rng)
        #expect(gradientCheck([x, g, b, r]) {
            batchNorm2d($0[0], weight: $0[1], bias: $0[2], runningMean: nil, runningVar: nil, training: true,
                        residual: $0[3], activation: activation)
        } <= 0)
    }
}
