@testable import NeuralNet
import NeuralNetKernels
import Testing
import TestSupport

/// Adam's eight-lane update gives the bits of the scalar formula, in the
/// AVX2 build, in the portable build, and through `Adam` on either path.
@Suite struct AdamMathTests {
    static func scalarReference(_ p: inout [Float], _ g: [Float], _ m: inout [Float], _ v: inout [Float],
                                beta1: Float, beta2: Float, stepSize: Float, c2Sqrt: Float, eps: Float) {
        for i in p.indices {
            m[i] += (g[i] - m[i]) * (1 - beta1)
            v[i] = v[i] * beta2 + (1 - beta2) * g[i] * g[i]
            p[i] -= stepSize * (m[i] / (v[i].squareRoot() / c2Sqrt + eps))
        }
    }

    @Test(arguments: [1, 8, 37])
    func lanesMatchScalarFormula(count: Int) {
        var rng = SeededRandom(seed: 61)
        let g = (0..<count).map { _ in rng.float(-1, 1) }
        let p0 = (0..<count).map { _ in rng.float(-1, 1) }, m0 = (0..<count).map { _ in rng.float(-0.1, 0.1) }
        let v0 = (0..<count).map { _ in rng.float(0, 0.01) }
        var (p, m, v) = (p0, m0, v0)
        Self.scalarReference(&p, g, &m, &v, beta1: 0.9, beta2: 0.999, stepSize: 1e-3, c2Sqrt: 0.03, eps: 1e-8)
        for kernel in [true, false] where !kernel || KernelSupport.cpuCanRun {
            var (pk, mk, vk) = (p0, m0, v0)
            pk.withUnsafeMutableBufferPointer { pp in mk.withUnsafeMutableBufferPointer { mp in vk.withUnsafeMutableBufferPointer { vp in
                g.withUnsafeBufferPointer { gp in
                    let args = (pp.baseAddress!, gp.baseAddress!, mp.baseAddress!, vp.baseAddress!)
                    if kernel {
                        AdamMath.update(args.0, args.1, args.2, args.3, count: count, beta1: 0.9, beta2: 0.999, stepSize: 1e-3, c2Sqrt: 0.03, eps: 1e-8)
                    } else {
                        AdamMath.updateSerially(args.0, args.1, args.2, args.3, count: count, beta1: 0.9, beta2: 0.999, stepSize: 1e-3, c2Sqrt: 0.03, eps: 1e-8)
                    }
                }
            }}}
            #expect(pk == p && mk == m && vk == v, "kernel \(kernel)")
        }
    }

    @Test func adamStepsAgreeOnBothPaths() {
        func run(kernels: Bool) -> Tensor {
            KernelSupport.$enabled.withValue(kernels) {
                var rng = SeededRandom(seed: 62)
                let w = Variable(randomTensor([70_000], &rng), requiresGrad: true)
                let opt = Adam(parameters: [("w", w)], learningRate: 1e-2)
                for _ in 0..<3 { w.grad = randomTensor([70_000], &rng); opt.step() }
                return w.value
            }
        }
        let a = run(kernels: true), b = run(kernels: false)
        #expect(a == b)
        var rng = SeededRandom(seed: 62)
        #expect(a.maxAbsDifference(randomTensor([70_000], &rng)) > 1e-3)
    }
}
