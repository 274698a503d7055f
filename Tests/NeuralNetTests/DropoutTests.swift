import NeuralNet
import Testing
import TestSupport

/// Dropout against PyTorch's formula on pipe's own mask (scripts/nn/fixtures/ops.json,
/// whose script redraws SplitMix64's uniforms) and against finite differences.
@Suite struct DropoutTests {
    @Test(arguments: Fixture.load("ops", op: "dropout"))
    func dropoutMatchesPyTorchOnTheSameMask(_ f: Fixture) {
        var rng = SplitMix64(seed: UInt64(f.int("seed")))
        checkAgainstFixture(f, inputs: ["x"], atol: 1e-6, rtol: 1e-6) { dropout($0[0], p: f.float("p"), training: true, rng: &rng) }
        // The script drew the same mask: exactly the elements it keeps are non-zero here.
        var again = SplitMix64(seed: UInt64(f.int("seed")))
        let ones = Variable(Tensor(shape: f.tensor("x").shape, repeating: 1))
        let kept = dropout(ones, p: f.float("p"), training: true, rng: &again).value.storage.map { $0 != 0 ? Float(1) : 0 }
        #expect(kept == f.tensor("keep").storage)
    }

    /// A fresh generator with a fixed seed on every call gives every evaluation the same mask,
    /// so central differences see a fixed linear map (and its composition with other ops).
    @Test(arguments: [Float(0.2), 0.5])
    func dropoutGradientsWithAFixedMask(p: Float) {
        var data = SeededRandom(seed: 21)
        let x = randomTensor([2, 3, 4, 5], &data), b = randomTensor([2, 3, 4, 5], &data)
        func masked(_ v: Variable) -> Variable {
            var rng = SplitMix64(seed: 99)
            return dropout(v, p: p, training: true, rng: &rng)
        }
        #expect(gradientCheck([x]) { masked($0[0]) } <= 0)
        #expect(gradientCheck([x, b]) { v in multiply(masked(silu(v[0])), v[1]) } <= 0)
    }

    @Test func dropPathGradientsWithAFixedMask() {
        var data = SeededRandom(seed: 22)
        let x = randomTensor([6, 2, 3, 3], &data)
        #expect(gradientCheck([x]) { v in
            var rng = SplitMix64(seed: 5)
            return dropPath(sigmoid(v[0]), p: 0.4, training: true, rng: &rng)
        } <= 0)
    }
}
