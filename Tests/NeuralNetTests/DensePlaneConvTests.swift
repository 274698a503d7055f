@testable import NeuralNet
import Testing
import TestSupport

/// 3x3 "same" convolutions over planes of at most 2x2 with prepared weights
/// (eval mode) run as one dense product: within rounding of im2col's output
/// (the reference path, with bias, residual and activation), over channel and
/// image counts that are not whole kernel blocks, and one prepared weight
/// serves planes of different sizes.
@Suite struct DensePlaneConvTests {
    /// Input `[n, c, h, w]` and output channels: a 2x2 plane, 1x2 and 2x1
    /// (7 and 5 output channels: rows that do not fill the last block of four),
    /// 1x1 (nine images: columns padded to 16).
    static let cases: [(input: [Int], out: Int)] = [([3, 20, 2, 2], 12), ([5, 9, 1, 2], 7), ([2, 8, 2, 1], 5), ([9, 16, 1, 1], 8)]

    @Test(arguments: cases.indices)
    func denseProductMatchesIm2col(_ index: Int) {
        let (shape, out) = Self.cases[index]
        var rng = SeededRandom(seed: 190 + UInt64(index))
        let x = Variable(randomTensor(shape, &rng)), w = Variable(randomTensor([out, shape[1], 3, 3], &rng, -0.3, 0.3))
        let b = Variable(randomTensor([out], &rng)), options = Conv2dOptions(padding: 1)
        let residual = Variable(randomTensor([shape[0], out, shape[2], shape[3]], &rng))
        let plan = ConvPlan(input: shape, weight: w.shape, options: options)
        #expect(plan.densePlaneApplies && !plan.usesDensePlane(preparedFilters: false))
        guard plan.usesDensePlane(preparedFilters: true) else { return }  // no AVX2 kernels on this CPU
        let plain = conv2d(x, weight: w, bias: b, options: options, residual: residual, activation: .relu)
        let dense = conv2d(x, weight: w, bias: b, options: options, residual: residual, activation: .relu, prepared: PreparedWeights())
        #expect(close(dense.value, plain.value), "\(shape) -> \(out)")
        #expect(plain.value.storage.contains { $0 != 0 })
        let noBias = conv2d(x, weight: w, options: options, prepared: PreparedWeights())
        #expect(close(noBias.value, conv2d(x, weight: w, options: options).value), "\(shape) -> \(out), no bias")
    }

    /// The dense weight depends on the plane: one `PreparedWeights` used on a
    /// 2x2 plane and then on a 1x2 plane keeps one form for each.
    @Test func oneWeightServesPlanesOfDifferentSizes() {
        var rng = SeededRandom(seed: 199)
        let w = Variable(randomTensor([8, 12, 3, 3], &rng, -0.3, 0.3)), options = Conv2dOptions(padding: 1)
        let prepared = PreparedWeights()
        for shape in [[4, 12, 2, 2], [4, 12, 1, 2], [4, 12, 2, 2]] {
            let x = Variable(randomTensor(shape, &rng))
            let dense = conv2d(x, weight: w, options: options, prepared: prepared)
            #expect(close(dense.value, conv2d(x, weight: w, options: options).value), "\(shape)")
        }
    }

    /// Planes past 2x2, other strides and paddings, and grouped convolutions are not dense products.
    @Test func onlyTinySamePlanesAreDense() {
        func dense(_ input: [Int], _ weight: [Int], _ options: Conv2dOptions) -> Bool {
            ConvPlan(input: input, weight: weight, options: options).densePlaneApplies
        }
        #expect(dense([16, 512, 2, 2], [512, 512, 3, 3], Conv2dOptions(padding: 1)))
        #expect(!dense([16, 512, 2, 3], [512, 512, 3, 3], Conv2dOptions(padding: 1)))
        #expect(!dense([16, 512, 2, 2], [512, 512, 1, 1], Conv2dOptions()))
        #expect(!dense([16, 512, 4, 4], [512, 512, 3, 3], Conv2dOptions(stride: 2, padding: 1)))
        #expect(!dense([16, 8, 2, 2], [8, 4, 3, 3], Conv2dOptions(padding: 1, groups: 2)))
    }
}
