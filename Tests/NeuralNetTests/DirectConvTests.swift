@testable import NeuralNet
import NeuralNetKernels
import Testing
import TestSupport

/// The AVX2 + FMA kernels agree with independent computations: the direct 3x3
/// kernel with the im2col path (for widths that are not whole vectors and output
/// channels that are not whole blocks), the depthwise kernel (forward and
/// gradients) with a dense convolution whose weight is zero off each
/// channel's own input.
@Suite struct DirectConvTests {
    @Test func pathIsChosenWhereItWins() {
        let options = Conv2dOptions(padding: 1)
        let supported = KernelSupport.cpuCanRun
        #expect(ConvPlan(input: [2, 16, 48, 48], weight: [32, 16, 3, 3], options: options).usesDirectConv == supported)
        #expect(ConvPlan(input: [2, 192, 64, 64], weight: [64, 192, 3, 3], options: options).usesDirectConv == supported)
        #expect(!ConvPlan(input: [2, 64, 64, 64], weight: [64, 64, 3, 3], options: options).usesDirectConv)
        #expect(!ConvPlan(input: [2, 16, 16, 16], weight: [16, 16, 3, 3], options: options).usesDirectConv)
        #expect(!ConvPlan(input: [2, 16, 48, 48], weight: [16, 16, 3, 3], options: Conv2dOptions(stride: 2, padding: 1)).usesDirectConv)
        #expect(!ConvPlan(input: [2, 16, 48, 48], weight: [16, 16, 3, 3], options: Conv2dOptions(padding: 1, dilation: 2)).usesDirectConv)
    }

    @Test(arguments: [(channels: 3, out: 1, width: 27), (channels: 16, out: 6, width: 50), (channels: 136, out: 64, width: 33)])
    func matchesIm2colReference(channels: Int, out: Int, width: Int) throws {
        try #require(KernelSupport.cpuCanRun, "this CPU lacks AVX2 + FMA; the direct kernel is never used here")
        var rng = SeededRandom(seed: 90 + UInt64(out))
        let shape = [3, channels, 29, width]
        let x = randomTensor(shape, &rng), w = randomTensor([out, channels, 3, 3], &rng, -0.2, 0.2), b = randomTensor([out], &rng)
        let plan = ConvPlan(input: shape, weight: w.shape, options: Conv2dOptions(padding: 1))
        #expect(plan.usesDirectConv)
        // Reference: padding 0 on an input zero-padded by hand takes the im2col path.
        var padded = Tensor(shape: [3, channels, 31, width + 2])
        for p in 0..<(3 * channels) { for r in 0..<29 { for q in 0..<width {
            padded.storage[(p * 31 + r + 1) * (width + 2) + q + 1] = x.storage[(p * 29 + r) * width + q]
        } } }
        let reference = conv2d(Variable(padded), weight: Variable(w), bias: Variable(b))
        for threads in [1, 2] {
            Compute.$current.withValue(Compute(threads: threads)) {
                let y = conv2d(Variable(x), weight: Variable(w), bias: Variable(b), options: Conv2dOptions(padding: 1))
                #expect(y.value.shape == reference.value.shape)
                #expect(y.value.maxAbsDifference(reference.value) < 1e-4)
            }
        }
    }

    @Test func weightsPackIntoBlocksOfFourChannels() {
        let w = (0..<(5 * 2 * 9)).map(Float.init)
        let packed = w.withUnsafeBufferPointer { DirectConv3x3.packWeights($0.baseAddress!, outChannels: 5, inChannels: 2) }
        #expect(packed.count == 2 * 2 * 9 * 4)
        // Block 0, input channel 1, tap 4: output channels 0...3.
        #expect(Array(packed[(1 * 9 + 4) * 4..<(1 * 9 + 4) * 4 + 4]) == [13, 31, 49, 67])
        // Block 1 holds channel 4 and three zero channels.
        #expect(Array(packed[(2 * 9 * 4)..<(2 * 9 * 4 + 4)]) == [72, 0, 0, 0])
    }

    /// With the kernels and with the portable loop (what CPUs without AVX2 run);
    /// the last planes are narrower than a vector, so they run channels-last
    /// (nine channels: one more than a vector).
    @Test(arguments: [(kernel: 3, stride: 1, dilation: 1, multiplier: 1, h: 19, w: 21), (kernel: 5, stride: 2, dilation: 1, multiplier: 1, h: 19, w: 21),
                      (kernel: 3, stride: 2, dilation: 2, multiplier: 2, h: 19, w: 21), (kernel: 5, stride: 1, dilation: 1, multiplier: 1, h: 19, w: 21),
                      (kernel: 5, stride: 1, dilation: 1, multiplier: 1, h: 2, w: 2), (kernel: 3, stride: 2, dilation: 1, multiplier: 1, h: 7, w: 9),
                      (kernel: 3, stride: 1, dilation: 2, multiplier: 1, h: 4, w: 3)],
          [true, false])
    func depthwiseMatchesDenseConvolution(_ p: (kernel: Int, stride: Int, dilation: Int, multiplier: Int, h: Int, w: Int), kernels: Bool) {
        KernelSupport.$enabled.withValue(kernels) {
            depthwiseCase(kernel: p.kernel, stride: p.stride, dilation: p.dilation, multiplier: p.multiplier, h: p.h, w: p.w)
        }
    }

    private func depthwiseCase(kernel: Int, stride: Int, dilation: Int, multiplier: Int, h: Int, w: Int) {
        var rng = SeededRandom(seed: 95 + UInt64(kernel * stride * dilation))
        let (n, c) = (3, w < 8 * stride ? 9 : 6), o = c * multiplier
        let x = randomTensor([n, c, h, w], &rng), weight = randomTensor([o, 1, kernel, kernel], &rng), b = randomTensor([o], &rng)
        // TensorFlow-"same" padding, asymmetric for stride 2.
        let options = Conv2dOptions(stride: Size2d(stride, stride), padding: .same, dilation: Size2d(dilation, dilation), groups: c)
        let plan = ConvPlan(input: x.shape, weight: weight.shape, options: options)
        #expect(plan.usesDepthwiseKernel == (KernelSupport.enabled && KernelSupport.cpuCanRun))
        #expect(plan.usesDepthwiseKernelBackward == plan.usesDepthwiseKernel)
        #expect(plan.usesDepthwiseChannelsLast == (plan.usesDepthwiseKernel && w < 8 * stride))
        var dense = Tensor(shape: [o, c, kernel, kernel])
        for oc in 0..<o { for t in 0..<(kernel * kernel) {
            dense.storage[(oc * c + oc / multiplier) * kernel * kernel + t] = weight.storage[oc * kernel * kernel + t]
        } }
        let denseOptions = Conv2dOptions(stride: Size2d(stride, stride), padding: .same, dilation: Size2d(dilation, dilation))
        let reference = conv2d(Variable(x), weight: Variable(dense), bias: Variable(b), options: denseOptions)
        // Gradients: the dense convolution's, its weight gradient read off each channel's own input.
        let gy = randomTensor(reference.value.shape, &rng)
        let denseX = Variable(x, requiresGrad: true), denseW = Variable(dense, requiresGrad: true)
        conv2d(denseX, weight: denseW, options: denseOptions).backward(seed: gy)
        var denseWeightGradient = Tensor(shape: weight.shape)
        for oc in 0..<o { for t in 0..<(kernel * kernel) {
            denseWeightGradient.storage[oc * kernel * kernel + t] = denseW.grad!.storage[(oc * c + oc / multiplier) * kernel * kernel + t]
        } }
        for threads in [1, 2] {
            Compute.$current.withValue(Compute(threads: threads)) {
                let y = conv2d(Variable(x), weight: Variable(weight), bias: Variable(b), options: options, activation: .silu)
                #expect(y.value.shape == reference.value.shape)
                #expect(y.value.maxAbsDifference(silu(reference).value) < 1e-5)
                let xv = Variable(x, requiresGrad: true), wv = Variable(weight, requiresGrad: true)
                conv2d(xv, weight: wv, options: options).backward(seed: gy)
                #expect(xv.grad!.maxAbsDifference(denseX.grad!) < 1e-4)
                #expect(wv.grad!.maxAbsDifference(denseWeightGradient) < 1e-3)
            }
        }
    }

    /// Whole models in eval mode give the same logits with the kernels as with
    /// the portable paths (which CPUs without AVX2 run).
    @Test(arguments: [EncoderName.resnet18, .efficientnet(0)])
    func modelsGiveTheSameLogitsWithoutTheKernels(encoder: EncoderName) throws {
        try #require(KernelSupport.cpuCanRun, "this CPU lacks AVX2 + FMA; only the portable paths run here")
        let model = try SegmentationModel(SegmentationModelConfig(arch: .unet, encoder: encoder), seed: 3)
        model.training = false
        var rng = SeededRandom(seed: 99)
        let x = randomTensor([2, 3, 64, 96], &rng)
        let fast = try model.forward(x).value
        let portable = try KernelSupport.$enabled.withValue(false) { try model.forward(x).value }
        let scale = portable.storage.map { abs($0) }.max()!
        #expect(fast.maxAbsDifference(portable) <= 1e-5 * max(1, scale))
    }
}
