@testable import NeuralNet
import Testing
import TestSupport

/// The shifted-GEMM 3x3 path agrees with the im2col path and with finite differences.
/// (With up to 32 output channels, the forward takes the direct kernel where the CPU has it.)
@Suite struct ShiftedConvTests {
    @Test func pathIsChosenOnlyWhereItApplies() {
        let options = Conv2dOptions(padding: 1)
        #expect(ConvPlan(input: [2, 16, 48, 48], weight: [40, 16, 3, 3], options: options).usesShiftedGemm)
        #expect(ConvPlan(input: [2, 16, 48, 48], weight: [8, 16, 3, 3], options: options).shiftedGemmApplies)
        #expect(!ConvPlan(input: [2, 3, 48, 48], weight: [8, 3, 3, 3], options: options).shiftedGemmApplies)
        #expect(!ConvPlan(input: [2, 16, 48, 48], weight: [8, 16, 3, 3], options: Conv2dOptions(stride: 2, padding: 1)).shiftedGemmApplies)
        #expect(!ConvPlan(input: [2, 16, 8, 8], weight: [8, 16, 3, 3], options: options).shiftedGemmApplies)
    }

    @Test(arguments: [1, 2])
    func matchesIm2colReference(threads: Int) {
        var rng = SeededRandom(seed: 41)
        let x = randomTensor([3, 16, 48, 50], &rng), w = randomTensor([40, 16, 3, 3], &rng, -0.2, 0.2)
        let b = randomTensor([40], &rng), gy = randomTensor([3, 40, 48, 50], &rng)
        Compute.$current.withValue(Compute(threads: threads)) {
            let xv = Variable(x, requiresGrad: true), wv = Variable(w, requiresGrad: true), bv = Variable(b, requiresGrad: true)
            let y = conv2d(xv, weight: wv, bias: bv, options: Conv2dOptions(padding: 1))
            y.backward(seed: gy)
            // Reference: padding 0 on an input zero-padded by hand takes the im2col path.
            var padded = Tensor(shape: [3, 16, 50, 52])
            for p in 0..<48 { for r in 0..<48 { for q in 0..<50 { padded.storage[(p * 50 + r + 1) * 52 + q + 1] = x.storage[(p * 48 + r) * 50 + q] } } }
            let xr = Variable(padded, requiresGrad: true), wr = Variable(w, requiresGrad: true), br = Variable(b, requiresGrad: true)
            #expect(!ConvPlan(input: padded.shape, weight: w.shape, options: Conv2dOptions()).shiftedGemmApplies)
            let ref = conv2d(xr, weight: wr, bias: br)
            ref.backward(seed: gy)
            var gxr = Tensor(shape: x.shape)
            for p in 0..<48 { for r in 0..<48 { for q in 0..<50 { gxr.storage[(p * 48 + r) * 50 + q] = xr.grad!.storage[(p * 50 + r + 1) * 52 + q + 1] } } }
            #expect(y.value.maxAbsDifference(ref.value) < 1e-4)
            #expect(xv.grad!.maxAbsDifference(gxr) < 1e-4)
            #expect(wv.grad!.maxAbsDifference(wr.grad!) < 2e-3)
            #expect(bv.grad!.maxAbsDifference(br.grad!) < 1e-3)
        }
    }

    @Test func finiteDifferences() {
        var rng = SeededRandom(seed: 42)
        let x = randomTensor([1, 8, 16, 128], &rng), w = randomTensor([4, 8, 3, 3], &rng)
        #expect(ConvPlan(input: x.shape, weight: w.shape, options: Conv2dOptions(padding: 1)).shiftedGemmApplies)
        #expect(gradientCheck([x, w], samples: 40) { conv2d($0[0], weight: $0[1], options: Conv2dOptions(padding: 1)) } <= 0)
    }
}
