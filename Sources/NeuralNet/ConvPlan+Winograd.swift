/// 3x3, stride-1, "same" convolutions with many channels by Winograd's
/// F(2x2, 3x3) (`WinogradTransforms`): each image's planes are cut into 4x4
/// tiles overlapping by two, transformed, and multiplied with the
/// transformed filters as 16 GEMMs `[o, c] x [c, tiles]`, which do 16
/// multiply-adds per 2x2 output tile and channel pair where im2col + GEMM do
/// 36; no column matrix nine times the input is written or (for the input
/// gradient) folded back. The input gradient is the same convolution of the
/// output gradient with the filters transposed and turned half round; the
/// weight gradient is 16 GEMMs over the tiles of transformed output gradients
/// and inputs. As on the batched path, the tiles of several images sit side
/// by side, workers split a group's columns (images) or, for the weight
/// gradient, its output channels, and call single-threaded OpenBLAS.
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

    /// True when the Winograd path is taken.
    var usesWinograd: Bool {
        winogradApplies && min(c, o) >= Self.winogradMinChannels && n * tilesPerImage >= Self.winogradMinTiles
    }

    private var tilesY: Int { (geo.h + 1) / 2 }
    private var tilesX: Int { (geo.w + 1) / 2 }
    private var tilesPerImage: Int { tilesY * tilesX }
    /// Floats of one padded plane the input tiles are read from, with slack for eight-lane loads.
    private var tilePlaneSize: Int { WinogradTransforms.splitPlaneSize(tilesY: tilesY, tilesX: tilesX) }

    /// Images whose tiles one group of GEMMs takes, for `inChannels` and `outChannels`.
    private func winogradGroup(_ inChannels: Int, _ outChannels: Int) -> Int {
        max(1, min(n, Self.winogradBudget / (16 * (inChannels + outChannels) * tilesPerImage)))
    }

    func winogradForwardBatch(x: Tensor, weight: Tensor, bias: Tensor?, epilogue: ConvEpilogue) -> Tensor {
        winogradConvolve(x, inChannels: c, outChannels: o, filters: transformedFilters(weight), transposed: false,
                         bias: bias, epilogue: epilogue)
    }

    func winogradBackward(gy: Tensor, x: Tensor, weight: Tensor, needX: Bool, needWeight: Bool) -> (x: Tensor?, weight: Tensor?) {
        let dW = needWeight ? winogradFilterGradient(gy: gy, x: x) : nil
        guard needX else { return (nil, dW) }
        // d/dx is the convolution of gy with each filter transposed ([c, o]) and turned half round.
        return (winogradConvolve(gy, inChannels: o, outChannels: c, filters: transformedFilters(weight), transposed: true,
                                 bias: nil, epilogue: .none), dW)
    }

    /// The weight's filters transformed, `[16][o][c]`, split across the compute threads.
    private func transformedFilters(_ weight: Tensor) -> [Float] {
        let count = o * c
        var u = [Float](repeating: 0, count: 16 * count)
        weight.withUnsafeBufferPointer { w in u.withUnsafeMutableBufferPointer { ub in
            let wp = w.baseAddress!, up = ub.baseAddress!
            Compute.current.parallelRanges(count, costPerItem: 32) { WinogradTransforms.filters(wp, $0, count: count, up) }
        }}
        return u
    }

    /// `y = conv(x)` for input `[n, inChannels, h, w]` and transformed filters
    /// `u`, `[16][outChannels][inChannels]`, or when `transposed` the filters
    /// `[16][inChannels][outChannels]` of the convolution this one runs
    /// backwards; bias and epilogue applied plane by plane.
    private func winogradConvolve(_ x: Tensor, inChannels ci: Int, outChannels co: Int, filters u: [Float], transposed: Bool,
                                  bias: Tensor?, epilogue: ConvEpilogue) -> Tensor {
        let compute = Compute.current, tiles = tilesPerImage, group = winogradGroup(ci, co)
        let inSize = 16 * ci * group * tiles, outSize = 16 * co * group * tiles
        var y = Tensor(uninitializedShape: [n, co, geo.h, geo.w])
        x.withUnsafeBufferPointer { xb in u.withUnsafeBufferPointer { ub in y.withUnsafeMutableBufferPointer { yb in
        Workspace.shared.with(count: inSize + outSize + WinogradTransforms.Lane.scalarCount + compute.workers(for: group) * tilePlaneSize) { ws in
            let xp = xb.baseAddress!, up = ub.baseAddress!, yp = yb.baseAddress!
            let v = ws, m = ws + inSize, pads = m + outSize + WinogradTransforms.Lane.scalarCount
            for first in stride(from: 0, to: n, by: group) {
                let k = min(group, n - first), ld = k * tiles
                compute.forEachChunk(k) { worker, slots in
                    for j in slots {
                        inputTiles(xp + (first + j) * ci * inPlane, channels: ci, pads + worker * tilePlaneSize,
                                   v + j * tiles, matrixStride: ci * ld, ld: ld)
                    }
                    let n0 = slots.lowerBound * tiles, width = slots.count * tiles
                    for p in 0..<16 {
                        let filters = up + (transposed ? WinogradTransforms.turned(p) : p) * co * ci
                        BLAS.sgemm(transA: transposed, m: co, n: width, k: ci, a: filters, lda: transposed ? co : ci,
                                   b: v + p * ci * ld + n0, ldb: ld, beta: 0, c: m + p * co * ld + n0, ldc: ld)
                    }
                    for j in slots { for ch in 0..<co {
                        let offset = ((first + j) * co + ch) * plane, dst = yp + offset
                        WinogradTransforms.outputTiles(m + ch * ld + j * tiles, matrixStride: co * ld, h: geo.h, w: geo.w, dst)
                        if bias != nil || !epilogue.isNone { epilogue.apply(dst, offset: offset, count: plane, bias: bias?.storage[ch]) }
                    }}
                }
            }
        }}}}
        return y
    }

    /// d/d(weight): per group, workers transform their images' input and
    /// output-gradient tiles, then each multiplies its share of output channels
    /// over all the group's tiles (summed over groups in order); the sums are
    /// transformed back to 3x3 filters once.
    private func winogradFilterGradient(gy: Tensor, x: Tensor) -> Tensor {
        let compute = Compute.current, tiles = tilesPerImage, group = winogradGroup(c, o)
        let inSize = 16 * c * group * tiles, gradSize = 16 * o * group * tiles
        // Slack for the eight-lane reads of the last filters.
        var du = [Float](repeating: 0, count: 16 * o * c + WinogradTransforms.Lane.scalarCount)
        gy.withUnsafeBufferPointer { gb in x.withUnsafeBufferPointer { xb in du.withUnsafeMutableBufferPointer { db in
        Workspace.shared.with(count: inSize + gradSize + compute.workers(for: group) * tilePlaneSize) { ws in
            let gp = gb.baseAddress!, xp = xb.baseAddress!, dup = db.baseAddress!
            let v = ws, g = ws + inSize, pads = g + gradSize
            for first in stride(from: 0, to: n, by: group) {
                let k = min(group, n - first), ld = k * tiles, workers = compute.workers(for: k)
                compute.forEachChunk(k) { worker, slots in
                    for j in slots {
                        inputTiles(xp + (first + j) * c * inPlane, channels: c, pads + worker * tilePlaneSize,
                                   v + j * tiles, matrixStride: c * ld, ld: ld)
                        for ch in 0..<o {
                            WinogradTransforms.outputGradientTiles(gp + ((first + j) * o + ch) * plane, h: geo.h, w: geo.w,
                                                                   g + ch * ld + j * tiles, matrixStride: o * ld)
                        }
                    }
                }
                compute.forEachChunk(k) { worker, _ in
                    let o0 = o * worker / workers, o1 = o * (worker + 1) / workers
                    guard o1 > o0 else { return }
                    for p in 0..<16 {
                        BLAS.sgemm(transB: true, m: o1 - o0, n: c, k: ld, a: g + p * o * ld + o0 * ld, lda: ld,
                                   b: v + p * c * ld, ldb: ld, beta: first == 0 ? 0 : 1, c: dup + p * o * c + o0 * c, ldc: c)
                    }
                }
            }
        }}}}
        var dW = Tensor(uninitializedShape: [o, c, 3, 3])
        let count = o * c
        du.withUnsafeBufferPointer { d in dW.withUnsafeMutableBufferPointer { g in
            let dp = d.baseAddress!, gp = g.baseAddress!
            Compute.current.parallelRanges(count, costPerItem: 32) { WinogradTransforms.filterGradients(dp, $0, count: count, gp) }
        }}
        return dW
    }

    /// The input tiles of one image's `channels` planes: channel `ch`'s tiles
    /// go to `v + ch * ld`, element `p` of each `matrixStride` floats on.
    private func inputTiles(_ x: UnsafePointer<Float>, channels: Int, _ split: UnsafeMutablePointer<Float>,
                            _ v: UnsafeMutablePointer<Float>, matrixStride: Int, ld: Int) {
        let rowStride = 2 * tilesX + 2
        // Padded row 0 and the rows below the plane stay zero.
        split.update(repeating: 0, count: rowStride)
        (split + (geo.h + 1) * rowStride).update(repeating: 0, count: (2 * tilesY + 1 - geo.h) * rowStride)
        for ch in 0..<channels {
            for iy in 0..<geo.h {
                WinogradTransforms.splitRow(x + (ch * geo.h + iy) * geo.w, w: geo.w, tilesX: tilesX, iy: iy, split)
            }
            WinogradTransforms.inputTiles(split, tilesY: tilesY, tilesX: tilesX, v + ch * ld, matrixStride: matrixStride)
        }
    }
}
