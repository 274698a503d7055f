@testable import NeuralNet
import Testing
import TestSupport

/// Inference shortcuts give exactly what the separate ops give and stay
/// differentiable: a convolution with a fused residual and activation (on every
/// convolution path), nearest upsampling fused with concatenation and with the
/// convolution that reads it, and max pooling without the argmax it keeps for backward.
@Suite struct FusedOpsTests {
    /// One case per forward path: im2col, plain sgemm (1x1), depthwise, shifted 3x3.
    static let paths: [(input: [Int], weight: [Int], options: Conv2dOptions)] = [
        ([2, 5, 13, 11], [6, 5, 3, 3], Conv2dOptions(stride: 2, padding: 1)),
        ([3, 8, 9, 10], [4, 8, 1, 1], Conv2dOptions()),
        ([2, 6, 15, 14], [6, 1, 5, 5], Conv2dOptions(padding: 2, groups: 6)),
        ([2, 16, 48, 50], [12, 16, 3, 3], Conv2dOptions(padding: 1)),
    ]

    @Test(arguments: 0..<4, [Activation.identity, .relu, .silu])
    func fusedEqualsSeparateOps(path: Int, activation: Activation) {
        for kernels in [true, false] { KernelSupport.$enabled.withValue(kernels) { fusedCase(path: path, activation: activation) } }
    }

    private func fusedCase(path: Int, activation: Activation) {
        let p = Self.paths[path]
        var rng = SeededRandom(seed: 70 + UInt64(path))
        let x = randomTensor(p.input, &rng), w = randomTensor(p.weight, &rng, -0.3, 0.3), b = randomTensor([p.weight[0]], &rng)
        let outShape = ConvPlan(input: p.input, weight: p.weight, options: p.options).outputShape
        var residual = randomTensor(outShape, &rng)
        residual.storage[0] = -.zero
        for threads in [1, 3] {
            Compute.$current.withValue(Compute(threads: threads)) {
                let separate = activation(conv2d(Variable(x), weight: Variable(w), bias: Variable(b), options: p.options) + Variable(residual))
                let fused = conv2d(Variable(x), weight: Variable(w), bias: Variable(b), options: p.options,
                                   residual: Variable(residual), activation: activation)
                #expect(fused.value.storage.map(\.bitPattern) == separate.value.storage.map(\.bitPattern))
                let withoutResidual = conv2d(Variable(x), weight: Variable(w), bias: Variable(b), options: p.options, activation: activation)
                let separateNoResidual = activation(conv2d(Variable(x), weight: Variable(w), bias: Variable(b), options: p.options))
                #expect(withoutResidual.value.storage.map(\.bitPattern) == separateNoResidual.value.storage.map(\.bitPattern))
            }
        }
    }

    @Test func reluKeepsNaNAndClearsNegativeZeroLikeTheOp() {
        let x = Tensor(shape: [1, 1, 1, 4], storage: [.nan, -.zero, -1, 2])
        let fused = conv2d(Variable(x), weight: Variable(Tensor(shape: [1, 1, 1, 1], storage: [1])), activation: .relu)
        let separate = relu(Variable(x))
        #expect(fused.value.storage[0].isNaN && separate.value.storage[0].isNaN)
        #expect(fused.value.storage.dropFirst().map(\.bitPattern) == separate.value.storage.dropFirst().map(\.bitPattern))
    }

    @Test func gradientsFlowThroughTheUnfusedComposition() {
        var rng = SeededRandom(seed: 77)
        let x = randomTensor([1, 3, 6, 7], &rng), w = randomTensor([4, 3, 3, 3], &rng), r = randomTensor([1, 4, 6, 7], &rng)
        #expect(gradientCheck([x, w, r], samples: 30) {
            conv2d($0[0], weight: $0[1], options: Conv2dOptions(padding: 1), residual: $0[2], activation: .silu)
        } <= 0)
    }

    @Test(arguments: [1, 2, 3])
    func upsampleConcatEqualsSeparateOps(scale: Int) {
        var rng = SeededRandom(seed: 80 + UInt64(scale))
        let x = randomTensor([2, 3, 5, 4], &rng), skip = randomTensor([2, 2, 5 * scale, 4 * scale], &rng)
        for threads in [1, 3] {
            Compute.$current.withValue(Compute(threads: threads)) {
                let fused = upsampleNearestConcat(Variable(x), Variable(skip), scale: scale)
                let separate = concat([upsampleNearest(Variable(x), scale: scale), Variable(skip)], axis: 1)
                #expect(fused.value == separate.value)
            }
        }
        #expect(gradientCheck([x, skip], samples: 40) { upsampleNearestConcat($0[0], $0[1], scale: scale) } <= 0)
    }

    @Test(arguments: [(kernel: 3, stride: 2, padding: 1), (kernel: 2, stride: 2, padding: 0), (kernel: 3, stride: 1, padding: 1)])
    func maxPoolValuesEqualTheDifferentiablePath(kernel: Int, stride: Int, padding: Int) {
        var rng = SeededRandom(seed: 85)
        // 19 columns: two eight-lane steps and a rest in the row pass.
        var x = randomTensor([2, 3, 9, 19], &rng)
        x.storage[10] = .nan
        x.storage[40] = -.infinity
        x.storage[60] = .nan
        for threads in [1, 3] {
            Compute.$current.withValue(Compute(threads: threads)) {
                let k = Size2d(kernel, kernel), s = Size2d(stride, stride), p = Size2d(padding, padding)
                let valuesOnly = maxPool2d(Variable(x), kernel: k, stride: s, padding: p)
                let input = Variable(x, requiresGrad: true)
                let withArgmax = maxPool2d(input, kernel: k, stride: s, padding: p)
                #expect(valuesOnly.value.shape == withArgmax.value.shape)
                #expect(valuesOnly.value.storage.map(\.bitPattern) == withArgmax.value.storage.map(\.bitPattern))
                // Each window's gradient goes to the tap a plain scan picks.
                withArgmax.backward(seed: Tensor(shape: withArgmax.shape, repeating: 1))
                #expect(input.grad?.storage == firstMaximumCounts(x, kernel: kernel, stride: stride, padding: padding).storage)
            }
        }
    }

    /// For each input element, how many windows pick it: the first tap inside
    /// the plane, then any greater value or NaN, in window order.
    private func firstMaximumCounts(_ x: Tensor, kernel: Int, stride: Int, padding: Int) -> Tensor {
        let (planes, h, w) = (x.shape[0] * x.shape[1], x.shape[2], x.shape[3])
        let (oh, ow) = ((h + 2 * padding - kernel) / stride + 1, (w + 2 * padding - kernel) / stride + 1)
        var counts = Tensor(shape: x.shape)
        for plane in 0..<planes { for oy in 0..<oh { for ox in 0..<ow {
            var best: Float = 0, at = -1
            for i in 0..<kernel { for j in 0..<kernel {
                let (iy, ix) = (oy * stride - padding + i, ox * stride - padding + j)
                guard (0..<h).contains(iy) && (0..<w).contains(ix) else { continue }
                let v = x.storage[(plane * h + iy) * w + ix]
                if at < 0 || v > best || v.isNaN { best = v; at = (plane * h + iy) * w + ix }
            }}
            counts.storage[at] += 1
        }}}
        return counts
    }

    /// Skip or none; shapes the direct kernel takes (where the CPU has it) and
    /// one the blocked Winograd kernel takes there (65 outputs; im2col elsewhere).
    @Test(arguments: [(skip: 5, out: 12), (skip: 0, out: 7), (skip: 40, out: 65)])
    func upsamplingConvolutionEqualsSeparateOps(skip skipChannels: Int, out: Int) {
        var rng = SeededRandom(seed: 88 + UInt64(out))
        let x = randomTensor([3, 24, 13, 14], &rng), w = randomTensor([out, 24 + skipChannels, 3, 3], &rng, -0.2, 0.2)
        let b = randomTensor([out], &rng), skip = skipChannels > 0 ? randomTensor([3, skipChannels, 26, 28], &rng) : nil
        let options = Conv2dOptions(padding: 1)
        let skipVariable = skip.map { Variable($0) }
        let input = skipVariable.map { upsampleNearestConcat(Variable(x), $0) } ?? upsampleNearest(Variable(x))
        let plan = ConvPlan(input: input.shape, weight: w.shape, options: options)
        #expect(plan.usesDirectConv == (KernelSupport.available && out <= 32))
        #expect(plan.usesWinogradBlocked == (KernelSupport.available && out == 65))
        for threads in [1, 3] {
            Compute.$current.withValue(Compute(threads: threads)) {
                let separate = conv2d(input, weight: Variable(w), bias: Variable(b), options: options, activation: .relu)
                let fused = conv2d(upsampling: Variable(x), concat: skipVariable, weight: Variable(w), bias: Variable(b),
                                   options: options, activation: .relu)
                #expect(fused.value.storage.map(\.bitPattern) == separate.value.storage.map(\.bitPattern))
            }
        }
        #expect(gradientCheck([x, w], samples: 20) {
            conv2d(upsampling: $0[0], concat: skipVariable, weight: $0[1], options: options, activation: .silu)
        } <= 0)
    }
}
