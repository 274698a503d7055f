@testable import NeuralNet
import NeuralNetKernels
import Testing
import TestSupport

/// The Winograd F(2x2, 3x3) path agrees with im2col + GEMM (the same
/// convolution with the input zero-padded by hand and padding 0, which
/// Winograd does not take) in output, input gradient and weight gradient,
/// on odd sizes, planes smaller than a tile, tile rows longer than a vector
/// and batches split into several groups; and with finite differences. Where
/// the CPU has AVX2, each case runs both through the kernels (the blocked
/// forward and input gradient where the filters are small) and without them,
/// and once more with F(4x4, 3x3) for every convolution the blocked kernel does not run.
@Suite struct WinogradConvTests {
    @Test func pathIsChosenForManyChannelsAndTiles() {
        let same = Conv2dOptions(padding: 1)
        #expect(ConvPlan(input: [16, 64, 16, 16], weight: [64, 64, 3, 3], options: same).usesWinograd)
        #expect(ConvPlan(input: [16, 512, 4, 4], weight: [512, 512, 3, 3], options: same).usesWinograd)
        #expect(!ConvPlan(input: [2, 512, 2, 2], weight: [512, 512, 3, 3], options: same).usesWinograd)
        // Filters transformed once for eval mode pay over any number of tiles.
        #expect(ConvPlan(input: [2, 512, 2, 2], weight: [512, 512, 3, 3], options: same).usesWinograd(preparedFilters: true))
        #expect(!ConvPlan(input: [16, 16, 16, 16], weight: [16, 16, 3, 3], options: same).usesWinograd(preparedFilters: true))
        #expect(!ConvPlan(input: [16, 16, 16, 16], weight: [16, 16, 3, 3], options: same).usesWinograd)
        #expect(!ConvPlan(input: [16, 64, 16, 16], weight: [64, 64, 3, 3], options: Conv2dOptions(stride: 2, padding: 1)).usesWinograd)
        #expect(!ConvPlan(input: [16, 64, 16, 16], weight: [64, 64, 3, 3], options: Conv2dOptions(padding: 2, dilation: 2)).usesWinograd)
        #expect(!ConvPlan(input: [16, 64, 16, 16], weight: [64, 64, 3, 3], options: Conv2dOptions()).usesWinograd)
        #expect(!ConvPlan(input: [16, 64, 16, 16], weight: [64, 32, 3, 3], options: Conv2dOptions(padding: 1, groups: 2)).usesWinograd)
        // The blocked kernel while 16 transformed filters fit its limit, the group GEMMs past it.
        #expect(ConvPlan(input: [16, 64, 16, 16], weight: [64, 64, 3, 3], options: same).usesWinogradBlocked == KernelSupport.available)
        #expect(ConvPlan(input: [8, 192, 32, 32], weight: [64, 192, 3, 3], options: same).usesWinogradBlocked == KernelSupport.available)
        #expect(!ConvPlan(input: [8, 128, 16, 16], weight: [128, 128, 3, 3], options: same).usesWinogradBlocked)
        #expect(!ConvPlan(input: [8, 16, 64, 64], weight: [16, 16, 3, 3], options: same).usesWinogradBlocked)
        // F(4x4, 3x3) with the kernels where its products and filter transforms cost less.
        #expect(ConvPlan(input: [16, 128, 16, 16], weight: [128, 128, 3, 3], options: same).winogradScheme
                == (KernelSupport.available ? .f4x4 : .f2x2))
        #expect(ConvPlan(input: [16, 512, 4, 4], weight: [512, 512, 3, 3], options: same).winogradScheme == .f2x2)
        #expect(ConvPlan(input: [64, 48, 2, 2], weight: [36, 48, 3, 3], options: same).winogradScheme == .f2x2)
    }

    static let cases: [(input: [Int], out: Int)] = [
        ([4, 32, 7, 9], 40),      // odd height and width: the last tiles hang over
        ([64, 32, 1, 1], 32),     // a plane smaller than one output tile
        ([64, 48, 2, 2], 36),     // one tile per image, more inputs than outputs
        ([3, 33, 6, 37], 34),     // 19 tiles a row: two eight-tile steps and a rest
        ([12, 64, 48, 48], 64),   // several groups of images, the weight gradient summed across them
        ([2, 32, 29, 9], 32),     // blocked: 15 tile rows in blocks of 12, the last one short
        ([6, 128, 5, 7], 112),    // filters past the blocked kernel's limit: group GEMMs with AVX2 too, and
                                  // fewer tile columns (72) than outputs (112, 128 for the input gradient): workers split the outputs
        ([2, 128, 13, 11], 112),  // F(4x4, 3x3): 3 tiles a row, eight-tile steps across rows, the last one short
        ([3, 40, 10, 16], 40),    // F(4x4, 3x3): rows of 4 tiles read as short runs, the last step one row
    ]

    @Test(arguments: cases.indices)
    func matchesPaddedIm2colReference(_ index: Int) {
        let (shape, out) = Self.cases[index]
        var rng = SeededRandom(seed: 140 + UInt64(index))
        let (n, c, h, w) = (shape[0], shape[1], shape[2], shape[3])
        let x = randomTensor(shape, &rng), weight = randomTensor([out, c, 3, 3], &rng, -0.2, 0.2), b = randomTensor([out], &rng)
        let gy = randomTensor([n, out, h, w], &rng)
        #expect(ConvPlan(input: shape, weight: weight.shape, options: Conv2dOptions(padding: 1)).usesWinograd)

        var padded = Tensor(shape: [n, c, h + 2, w + 2])
        for p in 0..<(n * c) { for r in 0..<h { for q in 0..<w {
            padded.storage[(p * (h + 2) + r + 1) * (w + 2) + q + 1] = x.storage[(p * h + r) * w + q]
        } } }
        let px = Variable(padded, requiresGrad: true), pw = Variable(weight, requiresGrad: true)
        let reference = conv2d(px, weight: pw, bias: Variable(b))
        reference.backward(seed: gy)
        var referenceDx = Tensor(shape: shape)
        for p in 0..<(n * c) { for r in 0..<h { for q in 0..<w {
            referenceDx.storage[(p * h + r) * w + q] = px.grad!.storage[(p * (h + 2) + r + 1) * (w + 2) + q + 1]
        } } }

        // Without the kernels; with them, each scheme by its cost, then F(4x4, 3x3) throughout.
        let runs: [(kernels: Bool, scheme: WinogradScheme?)] = KernelSupport.available ? [(false, nil), (true, nil), (true, .f4x4)] : [(false, nil)]
        for (kernels, scheme) in runs { for threads in [1, 2] {
            KernelSupport.$enabled.withValue(kernels) { WinogradScheme.$forced.withValue(scheme) { Compute.$current.withValue(Compute(threads: threads)) {
                let xv = Variable(x, requiresGrad: true), wv = Variable(weight, requiresGrad: true)
                let y = conv2d(xv, weight: wv, bias: Variable(b), options: Conv2dOptions(padding: 1))
                y.backward(seed: gy)
                let label = "\(shape), \(threads) threads, kernels \(kernels), scheme \(scheme.map { "\($0)" } ?? "by cost")"
                #expect(close(y.value, reference.value), "output, \(label)")
                #expect(close(xv.grad!, referenceDx), "input gradient, \(label)")
                #expect(close(wv.grad!, pw.grad!), "weight gradient, \(label)")
            }}}
        }}
    }

    /// Inference fuses bias, residual and activation into the output transform; same values as the separate ops.
    @Test func fusedEpilogueMatchesSeparateOps() {
        expectFusedEpilogueMatchesSeparateOps(input: [8, 32, 5, 6], outChannels: 32, weightBound: 0.2, seed: 150)
    }

    @Test func finiteDifferences() {
        var rng = SeededRandom(seed: 151)
        let x = randomTensor([16, 32, 3, 5], &rng), w = randomTensor([32, 32, 3, 3], &rng, -0.2, 0.2)
        #expect(ConvPlan(input: x.shape, weight: w.shape, options: Conv2dOptions(padding: 1)).usesWinograd)
        #expect(gradientCheck([x, w], samples: 40) { conv2d($0[0], weight: $0[1], options: Conv2dOptions(padding: 1)) } <= 0)
    }

    /// The transforms' AVX2 build gives the portable build's bits (skipped, which fails CI, without AVX2).
    @Test(.enabled(if: KernelSupport.cpuCanRun, "the CPU lacks AVX2 + FMA"))
    func transformBuildsGiveTheSameBits() {
        var rng = SeededRandom(seed: 152)
        let (planes, h, w) = (3, 7, 21), tilesY = (h + 1) / 2, tilesX = (w + 1) / 2, tiles = tilesY * tilesX
        let x = randomTensor([planes, h, w], &rng), m = randomTensor([16 * tiles + 8], &rng)
        let g = randomTensor([5 * 9], &rng), du = randomTensor([16 * 5 + 8], &rng)
        func run(_ steps: WinogradSteps) -> [[UInt32]] {
            var split = [Float](repeating: 0, count: WinogradTransforms.splitPlaneSize(tilesY: tilesY, tilesX: tilesX))
            var v = [Float](repeating: 0, count: 16 * planes * tiles), y = [Float](repeating: 0, count: h * w)
            var gv = [Float](repeating: 0, count: 16 * tiles), u = [Float](repeating: 0, count: 16 * 5), dg = [Float](repeating: 0, count: 45)
            x.storage.withUnsafeBufferPointer { xp in
                steps.planeInputTiles(xp.baseAddress!, planes: planes, h: h, w: w, &split, &v, planeStride: tiles, matrixStride: planes * tiles)
                steps.outputGradientTiles(xp.baseAddress!, h: h, w: w, &gv, matrixStride: tiles)
            }
            m.storage.withUnsafeBufferPointer { steps.outputTiles($0.baseAddress!, matrixStride: tiles, h: h, w: w, &y) }
            g.storage.withUnsafeBufferPointer { steps.filters($0.baseAddress!, 0..<5, matrixStride: 5, &u) }
            du.storage.withUnsafeBufferPointer { steps.filterGradients($0.baseAddress!, 0..<5, matrixStride: 5, &dg) }
            return [v, y, gv, u, dg].map { $0.map(\.bitPattern) }
        }
        #expect(run(WinogradSteps(avx2: true)) == run(WinogradSteps(avx2: false)))
    }

    /// Within float rounding of sums of this size: 1e-5 of the largest reference magnitude.
    private func close(_ a: Tensor, _ b: Tensor) -> Bool {
        a.shape == b.shape && a.maxAbsDifference(b) <= 1e-5 * max(1, b.storage.map(abs).max() ?? 0)
    }
}
