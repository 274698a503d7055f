import NeuralNet
import Testing
import TestSupport

/// Broadcasting product, reductions and stochastic depth.
@Suite struct ArithmeticTests {
    @Test func broadcastMultiplyGradients() {
        var rng = SeededRandom(seed: 31)
        let a = randomTensor([2, 3, 4, 5], &rng)
        for shape in [[2, 3, 1, 1], [2, 1, 4, 5], [1, 3, 1, 1], [1, 1, 1, 1], [2, 3, 4, 5]] {
            let b = randomTensor(shape, &rng)
            #expect(gradientCheck([a, b]) { multiply($0[0], $0[1]) } <= 0, "\(shape)")
        }
    }

    @Test func broadcastMultiplyValues() {
        let a = Tensor(shape: [1, 2, 2, 2], storage: [1, 2, 3, 4, 5, 6, 7, 8])
        let spatial = multiply(Variable(a), Variable(Tensor(shape: [1, 1, 2, 2], storage: [1, 0, 2, 10])))
        #expect(spatial.value.storage == [1, 0, 6, 40, 5, 0, 14, 80])
        let channel = multiply(Variable(a), Variable(Tensor(shape: [1, 2, 1, 1], storage: [2, -1])))
        #expect(channel.value.storage == [2, 4, 6, 8, -5, -6, -7, -8])
    }

    @Test func reductionsAndScaling() {
        var rng = SeededRandom(seed: 32)
        let a = randomTensor([3, 4], &rng), b = randomTensor([3, 4], &rng)
        #expect(gradientCheck([a, b]) { mean(subtract(scale($0[0], by: 3), $0[1])) } <= 0)
        #expect(gradientCheck([a, b]) { multiply(reshape($0[0], [2, 6]), reshape($0[1], [2, 6])) } <= 0)
        #expect(abs(sum(Variable(a)).value.scalar - Float(a.sum())) < 1e-6)
    }

    @Test func dropPathDropsWholeSamples() {
        var rng = SplitMix64(seed: 9)
        let x = Variable(Tensor(shape: [64, 2, 2, 2], repeating: 1), requiresGrad: true)
        let y = dropPath(x, p: 0.25, training: true, rng: &rng)
        for s in 0..<64 {
            let sample = y.value.storage[(s * 8)..<((s + 1) * 8)]
            #expect(Set(sample).count == 1 && (sample.first == 0 || abs(sample.first! - 4 / 3) < 1e-6))
        }
        #expect(dropPath(x, p: 0.25, training: false, rng: &rng) === x)
    }
}
