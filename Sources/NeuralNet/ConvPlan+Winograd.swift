import NeuralNetKernels

/// 3x3, stride-1, "same" convolutions with many channels by Winograd's
/// F(2x2, 3x3) (`WinogradTransforms`) or, with the AVX2 kernels where it
/// costs less, F(4x4, 3x3) (`Winograd4x4`; `WinogradScheme.best`): each
/// image's planes are cut into 4x4 (6x6) tiles overlapping by two,
/// transformed, and multiplied with the transformed filters as 16 (36) GEMMs
/// `[o, c] x [c, tiles]`, which do 4 (2.25) multiply-adds per output and
/// channel pair where im2col + GEMM do 9; no column matrix nine times the
/// input is written or (for the input gradient) folded back. The input
/// gradient is the same convolution of the output gradient with the filters
/// transposed and turned half round; the weight gradient is 16 (36) GEMMs
/// over the tiles of transformed output gradients and inputs. As on the
/// batched path, the tiles of several images sit side by side, workers split
/// a group's columns (images) or, for the weight gradient and for groups with
/// fewer tile columns than output channels (`splitsOutputChannels`), its
/// output channels, and call single-threaded OpenBLAS.
/// Where the transformed filters fit in L2 and the CPU has AVX2, the forward
/// and the input gradient run through `WinogradBlocked` instead: a few tile
/// rows of one image at a time, so the tile matrices never leave the cache.
extension ConvPlan {
    /// Largest transformed-tile matrices (floats, input and output side together) one group uses.
    static let winogradBudget = 1 << 22
    /// Fewest input and output channels for which the transforms pay for
    /// themselves. U-Net-resnet18 training steps, batch 8 at 256²: 0.27 steps/s
    /// without Winograd, 0.31 from 32 channels, 0.29 from 16.
    static let winogradMinChannels = 32

    /// True when the convolution is one F(2x2, 3x3) computes: 3x3, stride 1,
    /// dilation 1, padding 1 (output the input's size), one group.
    var winogradApplies: Bool {
        geo.kh == 3 && geo.kw == 3 && geo.sh == 1 && geo.sw == 1 && geo.dh == 1 && geo.dw == 1
            && geo.padTop == 1 && geo.padLeft == 1 && geo.oh == geo.h && geo.ow == geo.w && groups == 1
    }

    /// Fewest tiles (over the batch) for which transforming every filter pays:
    /// each tile saves 20 multiply-adds per filter, and a filter's three
    /// transforms a step cost, by estimate, what a few dozen tiles save.
    static let winogradMinTiles = 64

    /// True when the Winograd path is taken (training, and calls without prepared weights).
    var usesWinograd: Bool { usesWinograd(preparedFilters: false) }

    /// True when the Winograd path is taken; with `preparedFilters` (an
    /// eval-mode layer's, transformed once and kept) the filters cost no
    /// transform a call, so it is taken over any number of tiles.
    /// U-Net-resnet18 inference at 128², batch 8, its three 512 x 512 layers
    /// on 4x4 planes (32 tiles) left to the batched GEMMs: 0.105 against 0.099
    /// s a batch. Where the kernels run, planes of at most 2x2 take the dense
    /// product before this (`usesDensePlane`).
    func usesWinograd(preparedFilters: Bool) -> Bool {
        winogradApplies && min(c, o) >= Self.winogradMinChannels && (preparedFilters || n * tilesPerImage >= Self.winogradMinTiles)
    }

    /// The algorithm the group GEMMs (forward and input gradient off the
    /// blocked kernel, weight gradient) run. Read it on the thread that starts the op.
    var winogradScheme: WinogradScheme { .best(images: n, h: geo.h, w: geo.w, kernels: KernelSupport.available) }

    /// Largest input-tile matrices (floats) one block of `WinogradBlocked`
    /// transforms (128 KB, a quarter of a Zen 2 core's L2; 64 KB and 256 KB
    /// were no faster per layer).
    static let winogradBlockBudget = 1 << 15
    /// Largest transformed filters (floats) `WinogradBlocked` takes: each block
    /// reads them all. Per layer (batch 8-16, 2 threads) it beats the direct
    /// kernel 1.2-2x from 32 output channels (192 -> 64 at 32²: 9.6 against
    /// 19.1 ms) and ties or beats the group GEMMs at 64 x 64 channels, but loses to them
    /// from 128 x 128 (at 16²: 4.6 against 3.7 ms; 384 -> 128: 15.8 against 8.9).
    static let winogradBlockedFilterLimit = 200_000

    /// True when the blocked kernel runs this Winograd convolution (forward
    /// with `inChannels` = c, or the input gradient with `inChannels` = o).
    private func winogradBlockedApplies(inChannels: Int, outChannels: Int) -> Bool {
        KernelSupport.available && usesWinograd && 16 * inChannels * outChannels <= Self.winogradBlockedFilterLimit
    }

    /// True when the forward runs through `WinogradBlocked` (AVX2 kernels).
    var usesWinogradBlocked: Bool { winogradBlockedApplies(inChannels: c, outChannels: o) }

    /// Fewest tiles a `WinogradBlocked` block takes where the plane has them:
    /// every block reads all the transformed filters, and over fewer columns
    /// the products wait on those reads. 192 -> 64 channels at 16² (inference,
    /// batch 16), one row of 8 tiles a block within the budget: 4.7 ms a call;
    /// two rows 3.5 ms, five 3.0 ms. The outputs do not depend on the blocks.
    static let winogradBlockMinTiles = 32

    /// Tile rows one `WinogradBlocked` call transforms, for `inChannels`.
    private func winogradBlockRows(_ inChannels: Int) -> Int {
        let withinBudget = Self.winogradBlockBudget / (16 * inChannels * tilesX)
        return max(1, min(tilesY, max(withinBudget, (Self.winogradBlockMinTiles + tilesX - 1) / tilesX)))
    }

    func winogradBlockedForward(input: ConvInput, weight: Tensor, bias: Tensor?, epilogue: ConvEpilogue,
                                prepared: PreparedWeights? = nil) -> Tensor {
        let packed = prepared.form(.winogradBlocked) {
            transformedFilters(weight, .f2x2).withUnsafeBufferPointer {
                WinogradBlocked.packFilters($0.baseAddress!, matrixStride: filterMatrixStride, inChannels: c, outChannels: o,
                                           transposed: false)
            }
        }
        return winogradBlockedConvolve(input, inChannels: c, outChannels: o, filters: packed, bias: bias, epilogue: epilogue)
    }

    /// `conv(input)` through `WinogradBlocked`, blocks of tile rows of every
    /// image split across the workers, each block's output rows finished
    /// (bias, epilogue) while they are in cache.
    private func winogradBlockedConvolve(_ input: ConvInput, inChannels ci: Int, outChannels co: Int, filters: [Float],
                                         bias: Tensor?, epilogue: ConvEpilogue) -> Tensor {
        let compute = Compute.current, blockRows = winogradBlockRows(ci), blocksPerImage = (tilesY + blockRows - 1) / blockRows
        let items = n * blocksPerImage
        let perWorker = WinogradBlocked.scratchSize(inChannels: ci, outChannels: co, w: geo.w, tileRows: blockRows) + geo.w
        var y = Tensor(uninitializedShape: [n, co, geo.h, geo.w])
        input.withRows(channels: ci, h: geo.h, w: geo.w) { rows in
        filters.withUnsafeBufferPointer { fb in y.withUnsafeMutableBufferPointer { yb in
        Workspace.shared.with(count: compute.workers(for: items) * perWorker) { ws in
            let fp = fb.baseAddress!, yp = yb.baseAddress!
            compute.forEachChunk(items) { worker, range in
                let scratch = ws + worker * perWorker, upsampledRow = scratch + perWorker - geo.w
                for item in range {
                    let (img, block) = item.quotientAndRemainder(dividingBy: blocksPerImage)
                    let tileRows = block * blockRows..<min(tilesY, (block + 1) * blockRows)
                    WinogradBlocked.convolve(inChannels: ci, h: geo.h, w: geo.w, row: { rows.row(img, $0, $1, scratch: upsampledRow) },
                                             filters: fp, outChannels: co, tileRows: tileRows, scratch: scratch, yp + img * co * plane)
                    guard bias != nil || !epilogue.isNone else { continue }
                    let y0 = 2 * tileRows.lowerBound, count = (min(geo.h, 2 * tileRows.upperBound) - y0) * geo.w
                    for ch in 0..<co {
                        let offset = (img * co + ch) * plane + y0 * geo.w
                        epilogue.apply(yp + offset, offset: offset, count: count, bias: bias?.storage[ch])
                    }
                }
            }
        }}}}
        return y
    }

    /// F(2x2, 3x3) tiles along the height and the width, and per image (the blocked kernel's).
    private var tilesY: Int { (geo.h + 1) / 2 }
    private var tilesX: Int { (geo.w + 1) / 2 }
    private var tilesPerImage: Int { tilesY * tilesX }

    /// Tiles per image for `scheme`.
    private func tilesPerImage(_ scheme: WinogradScheme) -> Int { scheme.tiles(geo.h) * scheme.tiles(geo.w) }

    /// Floats of one padded plane `scheme`'s input tiles are read from, with slack for eight-lane loads.
    private func tilePlaneSize(_ steps: WinogradSteps) -> Int {
        steps.splitPlaneSize(tilesY: steps.scheme.tiles(geo.h), tilesX: steps.scheme.tiles(geo.w))
    }

    /// Images whose tiles one group of GEMMs takes, for `inChannels`, `outChannels` and `scheme`.
    private func winogradGroup(_ inChannels: Int, _ outChannels: Int, _ scheme: WinogradScheme) -> Int {
        max(1, min(n, Self.winogradBudget / (scheme.elements * (inChannels + outChannels) * tilesPerImage(scheme))))
    }

    func winogradForwardBatch(x: Tensor, weight: Tensor, bias: Tensor?, epilogue: ConvEpilogue, prepared: PreparedWeights?) -> Tensor {
        let scheme = winogradScheme
        let u = prepared.form(scheme == .f4x4 ? .winograd4x4 : .winograd) { transformedFilters(weight, scheme) }
        return winogradConvolve(x, inChannels: c, outChannels: o, filters: u, scheme: scheme, transposed: false, bias: bias, epilogue: epilogue)
    }

    func winogradBackward(gy: Tensor, x: Tensor, weight: Tensor, needX: Bool, needWeight: Bool) -> (x: Tensor?, weight: Tensor?) {
        let scheme = winogradScheme
        let dW = needWeight ? winogradFilterGradient(gy: gy, x: x, scheme: scheme) : nil
        guard needX else { return (nil, dW) }
        // d/dx is the convolution of gy with each filter transposed ([c, o]) and turned half round.
        if winogradBlockedApplies(inChannels: o, outChannels: c) {
            let packed = transformedFilters(weight, .f2x2).withUnsafeBufferPointer {
                WinogradBlocked.packFilters($0.baseAddress!, matrixStride: filterMatrixStride, inChannels: o, outChannels: c,
                                           transposed: true)
            }
            return (winogradBlockedConvolve(.planes(gy), inChannels: o, outChannels: c, filters: packed, bias: nil, epilogue: .none), dW)
        }
        if scheme == .f4x4 {
            // F(4x4, 3x3)'s G has no row permutation for the half turn: transform the turned filters themselves.
            let u = transformedFilters(turnedTransposed(weight), .f4x4)
            return (winogradConvolve(gy, inChannels: o, outChannels: c, filters: u, scheme: scheme, transposed: false, bias: nil,
                                     epilogue: .none), dW)
        }
        return (winogradConvolve(gy, inChannels: o, outChannels: c, filters: transformedFilters(weight, .f2x2), scheme: scheme,
                                 transposed: true, bias: nil, epilogue: .none), dW)
    }

    /// Floats from one matrix of transformed filters (`[o][c]`, or `[c][o]`) to the next.
    private var filterMatrixStride: Int { ScratchStride.padded(o * c) }

    /// The weight's filters transformed for `scheme`, `[elements][o][c]` with
    /// `filterMatrixStride` floats per element, split across the compute threads.
    private func transformedFilters(_ weight: Tensor, _ scheme: WinogradScheme) -> [Float] {
        let count = o * c, stride = filterMatrixStride, steps = WinogradSteps(scheme)
        return [Float](unsafeUninitializedCapacity: scheme.elements * stride) { ub, initialized in
            weight.withUnsafeBufferPointer { w in
                let wp = w.baseAddress!, up = ub.baseAddress!
                Compute.current.parallelRanges(count, costPerItem: 32) { steps.filters(wp, $0, matrixStride: stride, up) }
                // The floats between matrices, never read, are zeros rather than whatever the allocation held.
                for p in 0..<scheme.elements { (up + p * stride + count).initialize(repeating: 0, count: stride - count) }
            }
            initialized = ub.count
        }
    }

    /// The filters of the convolution that maps output gradients to input
    /// gradients: `[c, o, 3, 3]`, each of the weight's filters turned half round.
    private func turnedTransposed(_ weight: Tensor) -> Tensor {
        var turned = Tensor(uninitializedShape: [c, o, 3, 3])
        weight.withUnsafeBufferPointer { w in turned.withUnsafeMutableBufferPointer { t in
            for oc in 0..<o { for ic in 0..<c { for k in 0..<9 { t[(ic * o + oc) * 9 + 8 - k] = w[(oc * c + ic) * 9 + k] } } }
        }}
        return turned
    }

    /// `y = conv(x)` by `scheme` for input `[n, inChannels, h, w]` and
    /// transformed filters `u`, `[elements][outChannels][inChannels]` (`filterMatrixStride` apart), or when
    /// `transposed` (F(2x2, 3x3) only) the filters `[16][inChannels][outChannels]`
    /// of the convolution this one runs backwards; bias and epilogue applied plane by plane.
    private func winogradConvolve(_ x: Tensor, inChannels ci: Int, outChannels co: Int, filters u: [Float], scheme: WinogradScheme,
                                  transposed: Bool, bias: Tensor?, epilogue: ConvEpilogue) -> Tensor {
        let compute = Compute.current, steps = WinogradSteps(scheme), tiles = tilesPerImage(scheme), group = winogradGroup(ci, co, scheme)
        let elements = scheme.elements
        let inSize = elements * ScratchStride.padded(ci * group * tiles)
        let outSize = elements * ScratchStride.padded(co * group * tiles)
        let planeSize = tilePlaneSize(steps)
        var y = Tensor(uninitializedShape: [n, co, geo.h, geo.w])
        x.withUnsafeBufferPointer { xb in u.withUnsafeBufferPointer { ub in y.withUnsafeMutableBufferPointer { yb in
        Workspace.shared.with(count: inSize + outSize + WinogradTransforms.Lane.scalarCount + compute.workers(for: group) * planeSize) { ws in
            let xp = xb.baseAddress!, up = ub.baseAddress!, yp = yb.baseAddress!
            let v = ws, m = ws + inSize, pads = m + outSize + WinogradTransforms.Lane.scalarCount
            for first in stride(from: 0, to: n, by: group) {
                let k = min(group, n - first), ld = k * tiles
                let vStride = ScratchStride.padded(ci * ld), mStride = ScratchStride.padded(co * ld)
                func inputTiles(_ worker: Int, _ slots: Range<Int>) {
                    for j in slots {
                        steps.planeInputTiles(xp + (first + j) * ci * inPlane, planes: ci, h: geo.h, w: geo.w, pads + worker * planeSize,
                                              v + j * tiles, planeStride: ld, matrixStride: vStride)
                    }
                }
                // The products for output channels `channels` and the tiles of images `slots`, then those outputs.
                func multiplyAndFinish(_ slots: Range<Int>, _ channels: Range<Int>) {
                    let n0 = slots.lowerBound * tiles, width = slots.count * tiles, c0 = channels.lowerBound
                    for p in 0..<elements {
                        let filters = up + (transposed ? WinogradTransforms.turned(p) : p) * filterMatrixStride
                        BLAS.sgemm(transA: transposed, m: channels.count, n: width, k: ci, a: filters + (transposed ? c0 : c0 * ci),
                                   lda: transposed ? co : ci, b: v + p * vStride + n0, ldb: ld, beta: 0,
                                   c: m + p * mStride + c0 * ld + n0, ldc: ld)
                    }
                    for j in slots { for ch in channels {
                        let offset = ((first + j) * co + ch) * plane, dst = yp + offset
                        steps.outputTiles(m + ch * ld + j * tiles, matrixStride: mStride, h: geo.h, w: geo.w, dst)
                        if bias != nil || !epilogue.isNone { epilogue.apply(dst, offset: offset, count: plane, bias: bias?.storage[ch]) }
                    }}
                }
                if Self.splitsOutputChannels(columns: ld, outChannels: co) {
                    compute.forEachChunk(k) { worker, slots in inputTiles(worker, slots) }
                    compute.forEachChunk(co) { _, channels in multiplyAndFinish(0..<k, channels) }
                } else {
                    compute.forEachChunk(k) { worker, slots in
                        inputTiles(worker, slots)
                        multiplyAndFinish(slots, 0..<co)
                    }
                }
            }
        }}}}
        return y
    }

    /// d/d(weight): per group, workers transform their images' input and
    /// output-gradient tiles, then each multiplies its share of output channels
    /// over all the group's tiles (summed over groups in order); the sums are
    /// transformed back to 3x3 filters once.
    private func winogradFilterGradient(gy: Tensor, x: Tensor, scheme: WinogradScheme) -> Tensor {
        let compute = Compute.current, steps = WinogradSteps(scheme), tiles = tilesPerImage(scheme), group = winogradGroup(c, o, scheme)
        let elements = scheme.elements
        let inSize = elements * ScratchStride.padded(c * group * tiles)
        let gradSize = elements * ScratchStride.padded(o * group * tiles)
        let planeSize = tilePlaneSize(steps), count = o * c, filterStride = filterMatrixStride
        var dW = Tensor(uninitializedShape: [o, c, 3, 3])
        gy.withUnsafeBufferPointer { gb in x.withUnsafeBufferPointer { xb in dW.withUnsafeMutableBufferPointer { wb in
        // The sums (with slack for the eight-lane reads of the last filters) after the tiles.
        Workspace.shared.with(count: inSize + gradSize + compute.workers(for: group) * planeSize + elements * filterStride
                                     + WinogradTransforms.Lane.scalarCount) { ws in
            let gp = gb.baseAddress!, xp = xb.baseAddress!, wp = wb.baseAddress!
            let v = ws, g = ws + inSize, pads = g + gradSize, dup = pads + compute.workers(for: group) * planeSize
            for first in stride(from: 0, to: n, by: group) {
                let k = min(group, n - first), ld = k * tiles, workers = compute.workers(for: k)
                let vStride = ScratchStride.padded(c * ld), gStride = ScratchStride.padded(o * ld)
                compute.forEachChunk(k) { worker, slots in
                    for j in slots {
                        steps.planeInputTiles(xp + (first + j) * c * inPlane, planes: c, h: geo.h, w: geo.w, pads + worker * planeSize,
                                              v + j * tiles, planeStride: ld, matrixStride: vStride)
                        for ch in 0..<o {
                            steps.outputGradientTiles(gp + ((first + j) * o + ch) * plane, h: geo.h, w: geo.w,
                                                      g + ch * ld + j * tiles, matrixStride: gStride)
                        }
                    }
                }
                compute.forEachChunk(k) { worker, _ in
                    let o0 = o * worker / workers, o1 = o * (worker + 1) / workers
                    guard o1 > o0 else { return }
                    for p in 0..<elements {
                        BLAS.sgemm(transB: true, m: o1 - o0, n: c, k: ld, a: g + p * gStride + o0 * ld, lda: ld,
                                   b: v + p * vStride, ldb: ld, beta: first == 0 ? 0 : 1, c: dup + p * filterStride + o0 * c, ldc: c)
                    }
                }
            }
            compute.parallelRanges(count, costPerItem: 32) { steps.filterGradients(dup, $0, matrixStride: filterStride, wp) }
        }}}}
        return dW
    }
}
