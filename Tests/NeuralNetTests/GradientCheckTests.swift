import NeuralNet
import Testing
import TestSupport

/// Finite-difference checks of every op's backward against its forward.
@Suite struct GradientCheckTests {
    @Test(arguments: [
        Conv2dOptions(),
        Conv2dOptions(stride: 2, padding: 1),
        Conv2dOptions(stride: Size2d(1, 2), padding: .explicit(Padding2d(top: 0, bottom: 2, left: 1, right: 0))),
        Conv2dOptions(padding: 2, dilation: 2),
        Conv2dOptions(stride: 2, padding: .same),
        Conv2dOptions(padding: .same, dilation: Size2d(2, 3)),
        Conv2dOptions(stride: 2, padding: .same, dilation: 2),
        Conv2dOptions(padding: 1, groups: 2),
    ])
    func conv2dGradients(options: Conv2dOptions) {
        var rng = SeededRandom(seed: 1)
        let x = randomTensor([2, 4, 7, 6], &rng), w = randomTensor([6, 4 / options.groups, 3, 3], &rng)
        let b = randomTensor([6], &rng)
        #expect(gradientCheck([x, w, b]) { conv2d($0[0], weight: $0[1], bias: $0[2], options: options) } <= 0)
    }

    @Test func conv1x1IsPlainGemm() {
        var rng = SeededRandom(seed: 2)
        let x = randomTensor([3, 5, 4, 4], &rng), w = randomTensor([2, 5, 1, 1], &rng)
        #expect(gradientCheck([x, w]) { conv2d($0[0], weight: $0[1]) } <= 0)
    }

    @Test(arguments: [Conv2dOptions(padding: 1, groups: 4), Conv2dOptions(stride: 2, padding: .same, groups: 4),
                      Conv2dOptions(padding: 2, dilation: 2, groups: 4), Conv2dOptions(stride: 2, padding: .same, dilation: 2, groups: 4)])
    func depthwiseGradients(options: Conv2dOptions) {
        var rng = SeededRandom(seed: 3)
        let x = randomTensor([2, 4, 6, 7], &rng), w = randomTensor([8, 1, 3, 3], &rng)
        #expect(gradientCheck([x, w]) { conv2d($0[0], weight: $0[1], options: options) } <= 0)
    }

    @Test(arguments: [true, false])
    func batchNormGradients(training: Bool) {
        var rng = SeededRandom(seed: 4)
        let x = randomTensor([3, 2, 3, 4], &rng), g = randomTensor([2], &rng, 0.5, 1.5), b = randomTensor([2], &rng)
        let rm = Buffer(randomTensor([2], &rng)), rv = Buffer(randomTensor([2], &rng, 0.5, 2))
        #expect(gradientCheck([x, g, b]) {
            batchNorm2d($0[0], weight: $0[1], bias: $0[2], runningMean: training ? nil : rm,
                        runningVar: training ? nil : rv, training: training)
        } <= 0)
    }

    /// The `[n, c]` layout (one value per channel per sample, BatchNorm1d's).
    @Test(arguments: [true, false])
    func batchNormOfRowsGradients(training: Bool) {
        var rng = SeededRandom(seed: 9)
        let x = randomTensor([5, 3], &rng, -2, 2), g = randomTensor([3], &rng, 0.5, 1.5), b = randomTensor([3], &rng)
        let rm = Buffer(randomTensor([3], &rng)), rv = Buffer(randomTensor([3], &rng, 0.5, 2))
        #expect(gradientCheck([x, g, b]) {
            batchNorm2d($0[0], weight: $0[1], bias: $0[2], runningMean: training ? nil : rm,
                        runningVar: training ? nil : rv, training: training)
        } <= 0)
    }

    /// Training on `[n, c]` normalises each column by its batch mean and biased variance and moves
    /// the running statistics towards the mean and the unbiased (n - 1) variance; eval uses them.
    @Test func batchNormOfRowsRunningStatistics() {
        let x = Tensor(shape: [4, 2], storage: [1, 10, 2, 20, 3, 30, 6, 40])
        let rm = Buffer(Tensor(shape: [2], storage: [0, 1])), rv = Buffer(Tensor(shape: [2], storage: [1, 2]))
        let y = batchNorm2d(Variable(x), weight: nil, bias: nil, runningMean: rm, runningVar: rv, training: true, momentum: 0.25, eps: 0)
        // Column 0: mean 3, biased variance 3.5, unbiased 14/3. Column 1: mean 25, biased 125, unbiased 500/3.
        let (s0, s1) = (Float(3.5).squareRoot(), Float(125).squareRoot())
        let expected: [Float] = [-2 / s0, -15 / s1, -1 / s0, -5 / s1, 0, 5 / s1, 3 / s0, 15 / s1]
        #expect(close(y.value, Tensor(shape: [4, 2], storage: expected), atol: 1e-6))
        #expect(close(rm.value, Tensor(shape: [2], storage: [0.75 * 0 + 0.25 * 3, 0.75 * 1 + 0.25 * 25]), atol: 1e-6))
        #expect(close(rv.value, Tensor(shape: [2], storage: [0.75 * 1 + 0.25 * 14 / 3, 0.75 * 2 + 0.25 * 500 / 3]), atol: 1e-5))
        let eval = batchNorm2d(Variable(x), weight: nil, bias: nil, runningMean: rm, runningVar: rv, training: false, eps: 0)
        let m = rm.value.storage, v = rv.value.storage
        #expect(close(eval.value, Tensor(shape: [4, 2], storage: (0..<8).map { i in (x.storage[i] - m[i % 2]) / v[i % 2].squareRoot() }), atol: 1e-6))
    }

    @Test func reluAddMultiplyGradients() {
        var rng = SeededRandom(seed: 5)
        // Keep inputs away from relu's kink so central differences are exact.
        let a = randomTensor([2, 3, 4, 4], &rng).map { $0 >= 0 ? $0 + 0.1 : $0 - 0.1 }
        let b = randomTensor([2, 3, 4, 4], &rng), s = randomTensor([2, 3, 1, 1], &rng)
        #expect(gradientCheck([a, s]) { v in relu(v[0]) * v[1] } <= 0)
        #expect(gradientCheck([a, b]) { v in add(relu(v[0]), v[1]) * v[0] } <= 0)
    }

    @Test func sigmoidAndSiluGradients() {
        var rng = SeededRandom(seed: 6)
        let x = randomTensor([2, 3, 3, 3], &rng, -4, 4)
        #expect(gradientCheck([x]) { sigmoid($0[0]) } <= 0)
        #expect(gradientCheck([x]) { silu($0[0]) } <= 0)
    }
}

extension Tensor {
    func map(_ f: (Float) -> Float) -> Tensor { Tensor(shape: shape, storage: storage.map(f)) }
}

@Test func gradientCheckCatchesAWrongBackward() {
    var rng = SeededRandom(seed: 8)
    let x = randomTensor([2, 3], &rng)
    let wrong = gradientCheck([x]) { v in
        Variable(value: v[0].value.map { $0 * $0 }, parents: [v[0]]) { gy in [gy] }  // true gradient is 2x*gy
    }
    #expect(wrong > 0)
}
