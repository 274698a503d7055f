@testable import NeuralNet
import Testing
import TestSupport

/// Forms derived from a weight and kept between eval-mode calls give what
/// deriving them on every call gives, are made once, and are never used when
/// a gradient is needed. Over too few tiles for per-call filter transforms to
/// pay, prepared filters still take the Winograd path.
@Suite struct PreparedWeightsTests {
    /// A blocked Winograd convolution (with the kernels) and a group one (filters past the blocked limit).
    static let cases: [(input: [Int], out: Int)] = [([4, 32, 8, 10], 32), ([6, 128, 5, 7], 112)]

    @Test(arguments: cases.indices)
    func preparedFormsGiveTheSameOutput(_ index: Int) {
        let (shape, out) = Self.cases[index]
        var rng = SeededRandom(seed: 160 + UInt64(index))
        let x = Variable(randomTensor(shape, &rng)), w = Variable(randomTensor([out, shape[1], 3, 3], &rng, -0.2, 0.2))
        let b = Variable(randomTensor([out], &rng)), options = Conv2dOptions(padding: 1)
        for kernels in Set([KernelSupport.available, false]) {
            KernelSupport.$enabled.withValue(kernels) {
                let prepared = PreparedWeights()
                let plain = conv2d(x, weight: w, bias: b, options: options, activation: .relu)
                let first = conv2d(x, weight: w, bias: b, options: options, activation: .relu, prepared: prepared)
                let second = conv2d(x, weight: w, bias: b, options: options, activation: .relu, prepared: prepared)
                #expect(first.value.storage.map(\.bitPattern) == plain.value.storage.map(\.bitPattern), "\(shape), kernels \(kernels)")
                #expect(second.value.storage.map(\.bitPattern) == plain.value.storage.map(\.bitPattern), "\(shape), kernels \(kernels)")
            }
        }
    }

    /// Two images of 2x3 (four tiles in all): im2col without prepared weights,
    /// Winograd with them (its output bit for bit, within rounding of im2col's).
    @Test func preparedFiltersTakeWinogradOverFewTiles() {
        var rng = SeededRandom(seed: 175)
        let x = Variable(randomTensor([2, 48, 2, 3], &rng)), w = Variable(randomTensor([40, 48, 3, 3], &rng, -0.2, 0.2))
        let b = Variable(randomTensor([40], &rng)), options = Conv2dOptions(padding: 1)
        let plan = ConvPlan(input: x.shape, weight: w.shape, options: options)
        #expect(!plan.usesWinograd && plan.usesWinograd(preparedFilters: true))
        for kernels in Set([KernelSupport.available, false]) {
            KernelSupport.$enabled.withValue(kernels) {
                let plain = conv2d(x, weight: w, bias: b, options: options)
                let prepared = conv2d(x, weight: w, bias: b, options: options, prepared: PreparedWeights())
                let winograd = plan.winogradForwardBatch(x: x.value, weight: w.value, bias: b.value, epilogue: .none, prepared: nil)
                #expect(prepared.value.storage.map(\.bitPattern) == winograd.storage.map(\.bitPattern), "kernels \(kernels)")
                #expect(prepared.value.storage.map(\.bitPattern) != plain.value.storage.map(\.bitPattern), "kernels \(kernels)")
                #expect(close(prepared.value, plain.value), "kernels \(kernels)")
            }
        }
    }

    @Test func aFormIsMadeOnce() {
        let prepared = PreparedWeights()
        var made = 0
        for _ in 0..<3 { #expect(prepared.form(.winograd) { made += 1; return [1, 2] } == [1, 2]) }
        #expect(made == 1)
    }

    /// A weight that needs a gradient changes every step: stored forms (here wrong ones) are not read.
    @Test func aWeightThatNeedsAGradientIgnoresStoredForms() {
        var rng = SeededRandom(seed: 170)
        let x = Variable(randomTensor([4, 32, 8, 10], &rng)), w = Variable(randomTensor([32, 32, 3, 3], &rng), requiresGrad: true)
        let prepared = PreparedWeights()
        _ = prepared.form(.winograd) { [Float](repeating: 0, count: 16 * 32 * 32) }
        _ = prepared.form(.winogradBlocked) { [Float](repeating: 0, count: 16 * 32 * 32) }
        let plain = conv2d(x, weight: w, options: Conv2dOptions(padding: 1))
        let withStored = conv2d(x, weight: w, options: Conv2dOptions(padding: 1), prepared: prepared)
        #expect(withStored.value.storage == plain.value.storage)
        #expect(plain.value.storage.contains { $0 != 0 })
    }
}
