import NeuralNet
import Testing
import TestSupport

/// Every loss against PyTorch references of the Keras segmentation_models /
/// Berman definitions (scripts/nn/fixture_losses.py) and against finite differences.
@Suite struct LossTests {
    static func loss(_ f: Fixture) -> (Variable, Tensor) -> Variable {
        let perImage = f.params["per_image"] as? Bool ?? false
        switch f.op {
        case "bce_with_logits": return { bceWithLogits($0, $1) }
        case "soft_dice": return { softDiceLoss($0, $1, perImage: perImage) }
        case "soft_jaccard": return { softJaccardLoss($0, $1, perImage: perImage) }
        case "bce_jaccard": return { bceJaccardLoss($0, $1) }
        case "bce_dice": return { bceDiceLoss($0, $1) }
        case "lovasz_hinge": return { lovaszHingeLoss($0, $1, perImage: perImage) }
        default: fatalError("unknown loss fixture \(f.op)")
        }
    }

    @Test(arguments: Fixture.load("losses"))
    func matchesPyTorch(_ f: Fixture) {
        let loss = Self.loss(f), target = f.tensor("t")
        checkAgainstFixture(f, inputs: ["x"], atol: 1e-5) { loss($0[0], target) }
    }

    @Test(arguments: Fixture.load("losses"))
    func finiteDifferences(_ f: Fixture) {
        let loss = Self.loss(f), target = f.tensor("t")
        #expect(gradientCheck([f.tensor("x")], h: 1e-3, atol: 1e-4) { loss($0[0], target) } <= 0)
    }

    @Test func namedLossesDispatch() {
        var rng = SeededRandom(seed: 21)
        let x = Variable(randomTensor([2, 1, 3, 3], &rng, -2, 2))
        let t = Tensor(shape: [2, 1, 3, 3], storage: (0..<18).map { Float($0 % 3 == 0 ? 1 : 0) })
        let bce = bceWithLogits(x, t).value.scalar, jac = softJaccardLoss(x, t).value.scalar
        #expect(SegmentationLoss(rawValue: "bce_jaccard")!(x, t).value.scalar == bce + jac)
        #expect(SegmentationLoss(rawValue: "lovasz_hinge")!(x, t).value.scalar == lovaszHingeLoss(x, t).value.scalar)
        // A perfect prediction has (near) zero overlap loss.
        let perfect = Variable(t.map { $0 > 0 ? 20 : -20 })
        #expect(softDiceLoss(perfect, t).value.scalar < 1e-6)
        #expect(lovaszHingeLoss(perfect, t).value.scalar == 0)
    }
}
