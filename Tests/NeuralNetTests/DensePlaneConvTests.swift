@testable import NeuralNet
import Testing
import TestSupport

/// 3x3 "same" convolutions over planes of at most 2x2 run as one dense
/// product: the output (with bias, residual and activation), the input
/// gradient and the weight gradient within rounding of the im2col path's
/// (the reference: the same op with the kernels off), on every plane shape
/// and with image counts that are not whole vectors.
@Suite struct DensePlaneConvTests {
    /// Input `[n, c, h, w]` and output channels: 2x2, 1x2, 2x1 and 1x1 planes
    /// (nine images: columns padded to 16).
    static let cases: [(input: [Int], out: Int)] = [([3, 20, 2, 2], 12), ([5, 8, 1, 2], 12), ([2, 8, 2, 1], 4), ([9, 16, 1, 1], 8)]

    @Test(.enabled(if: KernelSupport.cpuCanRun, "the CPU lacks AVX2 + FMA"), arguments: cases.indices)
    func denseProductMatchesIm2col(_ index: Int) throws {
        let (shape, out) = Self.cases[index]
        var rng = SeededRandom(seed: 190 + UInt64(index))
        let xv = randomTensor(shape, &rng), wv = randomTensor([out, shape[1], 3, 3], &rng, -0.3, 0.3)
        let bv = randomTensor([out], &rng), rv = randomTensor([shape[0], out, shape[2], shape[3]], &rng)
        let gy = randomTensor([shape[0], out, shape[2], shape[3]], &rng), options = Conv2dOptions(padding: 1)
        let plan = ConvPlan(input: shape, weight: wv.shape, options: options)
        #expect(plan.densePlaneApplies)
        try #require(plan.usesDensePlane)
        func run(kernels: Bool) -> (y: Tensor, eval: Tensor, dx: Tensor, dW: Tensor) {
            KernelSupport.$enabled.withValue(kernels) {
                let x = Variable(xv, requiresGrad: true), w = Variable(wv, requiresGrad: true), b = Variable(bv, requiresGrad: true)
                let eval = conv2d(Variable(xv), weight: Variable(wv), bias: Variable(bv), options: options, residual: Variable(rv),
                                  activation: .relu)
                let y = conv2d(x, weight: w, bias: b, options: options)
                y.backward(seed: gy)
                return (y.value, eval.value, x.grad!, w.grad!)
            }
        }
        let dense = run(kernels: true), reference = run(kernels: false)
        #expect(close(dense.y, reference.y), "\(shape) -> \(out): output")
        #expect(close(dense.eval, reference.eval), "\(shape) -> \(out): output with residual and relu")
        #expect(close(dense.dx, reference.dx), "\(shape) -> \(out): input gradient")
        #expect(close(dense.dW, reference.dW), "\(shape) -> \(out): weight gradient")
        #expect(reference.eval.storage.contains { $0 != 0 } && reference.dx.storage.contains { $0 != 0 })
    }

    /// Every sum runs in one order whatever the thread count: one and two
    /// threads give the same bits for the output and both gradients.
    @Test(.enabled(if: KernelSupport.cpuCanRun, "the CPU lacks AVX2 + FMA"))
    func bitsDoNotDependOnTheThreadCount() {
        var rng = SeededRandom(seed: 198)
        let xv = randomTensor([6, 24, 2, 2], &rng), wv = randomTensor([16, 24, 3, 3], &rng, -0.3, 0.3)
        let gy = randomTensor([6, 16, 2, 2], &rng), options = Conv2dOptions(padding: 1)
        func run(threads: Int) -> [[UInt32]] {
            Compute.$current.withValue(Compute(threads: threads)) {
                let x = Variable(xv, requiresGrad: true), w = Variable(wv, requiresGrad: true)
                let y = conv2d(x, weight: w, options: options)
                y.backward(seed: gy)
                return [y.value, x.grad!, w.grad!].map { $0.storage.map(\.bitPattern) }
            }
        }
        #expect(ConvPlan(input: xv.shape, weight: wv.shape, options: options).usesDensePlane)
        #expect(run(threads: 1) == run(threads: 2))
    }

    /// Planes past 2x2, other kernels and strides, grouped convolutions, and
    /// channel counts that do not fill blocks of four are not dense products.
    @Test func onlyTinySamePlanesAreDense() {
        func dense(_ input: [Int], _ weight: [Int], _ options: Conv2dOptions = Conv2dOptions(padding: 1)) -> Bool {
            ConvPlan(input: input, weight: weight, options: options).densePlaneApplies
        }
        #expect(dense([16, 512, 2, 2], [512, 512, 3, 3]))
        #expect(!dense([16, 512, 2, 3], [512, 512, 3, 3]))
        #expect(!dense([16, 512, 2, 2], [512, 512, 1, 1], Conv2dOptions()))
        #expect(!dense([16, 512, 4, 4], [512, 512, 3, 3], Conv2dOptions(stride: 2, padding: 1)))
        #expect(!dense([16, 8, 2, 2], [8, 4, 3, 3], Conv2dOptions(padding: 1, groups: 2)))
        #expect(!ConvPlan(input: [2, 9, 2, 2], weight: [8, 9, 3, 3], options: Conv2dOptions(padding: 1)).usesDensePlane)
        #expect(!ConvPlan(input: [2, 8, 2, 2], weight: [7, 8, 3, 3], options: Conv2dOptions(padding: 1)).usesDensePlane)
    }
}
