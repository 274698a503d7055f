@testable import NeuralNet
import Testing
import TestSupport

/// The batched small-plane path (several images per GEMM) agrees with the
/// per-image path, which a batch of one image takes, and with finite differences.
@Suite struct BatchedConvTests {
    static let cases: [(input: [Int], weight: [Int], options: Conv2dOptions)] = [
        ([5, 6, 7, 9], [10, 6, 3, 3], Conv2dOptions(padding: 1)),               // 3x3 same
        ([4, 8, 6, 6], [12, 8, 1, 1], Conv2dOptions()),                         // 1x1: the input is the column matrix
        ([3, 5, 9, 8], [7, 5, 3, 3], Conv2dOptions(stride: 2, padding: 1)),     // strided, odd sizes
        ([3, 4, 5, 5], [6, 4, 2, 3], Conv2dOptions(stride: Size2d(1, 2), padding: .same, dilation: Size2d(2, 1))),
        ([6, 16, 1, 1], [4, 16, 1, 1], Conv2dOptions()),                        // squeeze-and-excitation shape
        ([3, 8, 2, 2], [40, 8, 3, 3], Conv2dOptions(padding: 1)),               // 12 columns, 40 outputs: workers split the outputs
    ]

    @Test func pathIsChosenForSmallPlanesOnly() {
        #expect(ConvPlan(input: [16, 512, 2, 2], weight: [512, 512, 3, 3], options: Conv2dOptions(padding: 1)).imagesPerGemm == 16)
        #expect(ConvPlan(input: [16, 64, 64, 64], weight: [64, 64, 3, 3], options: Conv2dOptions(padding: 1)).imagesPerGemm == 0)
        #expect(ConvPlan(input: [1, 512, 2, 2], weight: [512, 512, 3, 3], options: Conv2dOptions(padding: 1)).imagesPerGemm == 0)
        #expect(ConvPlan(input: [8, 32, 4, 4], weight: [32, 1, 3, 3], options: Conv2dOptions(padding: 1, groups: 32)).imagesPerGemm == 0)
        // The column budget caps the images per GEMM.
        let big = ConvPlan(input: [64, 1024, 15, 15], weight: [256, 1024, 3, 3], options: Conv2dOptions(padding: 1))
        #expect(big.imagesPerGemm >= 1 && big.imagesPerGemm < 64)
        #expect(ConvPlan.splitsOutputChannels(columns: 12, outChannels: 40) && !ConvPlan.splitsOutputChannels(columns: 72, outChannels: 12))
    }

    @Test(arguments: [1, 2, 3])
    func matchesPerImageReference(threads: Int) {
        var rng = SeededRandom(seed: 51)
        for (input, wshape, options) in Self.cases {
            let x = randomTensor(input, &rng), w = randomTensor(wshape, &rng, -0.3, 0.3), b = randomTensor([wshape[0]], &rng)
            let plan = ConvPlan(input: input, weight: wshape, options: options)
            #expect(plan.imagesPerGemm > 0, "\(input) \(wshape)")
            let gy = randomTensor(plan.outputShape, &rng)
            Compute.$current.withValue(Compute(threads: threads)) {
                let xv = Variable(x, requiresGrad: true), wv = Variable(w, requiresGrad: true), bv = Variable(b, requiresGrad: true)
                let y = conv2d(xv, weight: wv, bias: bv, options: options)
                y.backward(seed: gy)
                var gw = Tensor(shape: wshape)
                for img in 0..<input[0] {
                    let xi = Variable(slice(x, img), requiresGrad: true), wi = Variable(w, requiresGrad: true)
                    let yi = conv2d(xi, weight: wi, bias: Variable(b), options: options)
                    yi.backward(seed: slice(gy, img))
                    #expect(slice(y.value, img).maxAbsDifference(yi.value) < 1e-4)
                    #expect(slice(xv.grad!, img).maxAbsDifference(xi.grad!) < 1e-4)
                    gw.add(wi.grad!)
                }
                #expect(wv.grad!.maxAbsDifference(gw) < 1e-3)
            }
        }
    }

    /// Inference fuses bias, residual and activation into the scatter; same values as the separate ops.
    @Test func fusedEpilogueMatchesSeparateOps() {
        expectFusedEpilogueMatchesSeparateOps(input: [6, 8, 5, 5], outChannels: 8, weightBound: 0.3, seed: 52)
    }

    @Test func finiteDifferences() {
        var rng = SeededRandom(seed: 53)
        for (input, wshape, options) in Self.cases.prefix(4) {
            let x = randomTensor(input, &rng), w = randomTensor(wshape, &rng)
            #expect(gradientCheck([x, w], samples: 30) { conv2d($0[0], weight: $0[1], options: options) } <= 0, "\(input) \(wshape)")
        }
    }

    private func slice(_ t: Tensor, _ img: Int) -> Tensor {
        let per = t.count / t.shape[0]
        return Tensor(shape: [1] + t.shape.dropFirst(), storage: Array(t.storage[img * per..<(img + 1) * per]))
    }
}
