import NeuralNetKernels

/// Convolutions on small planes as one GEMM over many images. Per image, a
/// deep layer's GEMM is thin (a 64x64 tile's 2x2 plane at stride 32 gives 4
/// columns), so OpenBLAS spends its time packing, and the weight gradient
/// re-reads and re-writes the whole `[o, c*kh*kw]` matrix once per image (and
/// once more per worker to sum partials). Here the column matrices of `k`
/// images sit side by side, `[c*kh*kw, k*plane]`, so one GEMM has `k*plane`
/// columns (forward, input gradient) or a `k*plane` inner dimension (weight
/// gradient). Workers split a GEMM by columns (images) or, for the weight
/// gradient and for forward GEMMs with fewer columns than output channels,
/// by output channels, each calling single-threaded OpenBLAS, so
/// no per-worker partial sums are needed. Columns are unfolded and outputs
/// gathered and scattered with plain copies.
extension ConvPlan {
    /// Planes below this many positions take the batched path.
    static let batchedPlaneLimit = 512
    /// Largest column matrix (floats) one batched GEMM reads.
    static let batchedColumnBudget = 1 << 22

    /// Images per batched GEMM; 0 when the per-image paths are taken.
    var imagesPerGemm: Int {
        guard groups == 1, plane < Self.batchedPlaneLimit, n > 1 else { return 0 }
        return max(1, min(n, Self.batchedColumnBudget / max(1, c * kk * plane)))
    }

    /// True when workers should split a GEMM `[outChannels, k] x [k, columns]`
    /// by its output rows (output channels; column-matrix rows for an input
    /// gradient) rather than by columns (images). OpenBLAS packs the whole
    /// weight matrix for every call, so with a column split each worker packs
    /// all of it; with fewer columns than rows (deep layers of small tiles)
    /// packing the weights costs as much as multiplying them, and a row split
    /// halves it (each worker packs its rows and all the columns).
    static func splitsOutputChannels(columns: Int, outChannels: Int) -> Bool { columns < outChannels }

    /// Writes images `first..<first+k` as columns side by side: `col` is
    /// `[c*kh*kw, k*plane]` (the input itself, gathered, for a 1x1 stride-1 convolution).
    private func gatherColumns(_ x: UnsafePointer<Float>, image: Int, slot j: Int, k: Int, _ col: UnsafeMutablePointer<Float>) {
        let ld = ScratchStride.padded(k * plane), xi = x + image * c * inPlane
        if geo.isIdentity {
            for ch in 0..<c { (col + ch * ld + j * plane).update(from: xi + ch * plane, count: plane) }
        } else {
            geo.im2col(xi, channels: c, col + j * plane, rowStride: ld)
        }
    }

    /// Runs `body(first, k)` for consecutive chunks of `imagesPerGemm` images, one after another.
    private func forEachImageGroup(_ body: (Int, Int) -> Void) {
        let group = imagesPerGemm
        for first in stride(from: 0, to: n, by: group) { body(first, min(group, n - first)) }
    }

    /// The forward pass as batched GEMMs: each worker unfolds its share of an
    /// image group into its own columns, multiplies them and scatters the
    /// result (bias and epilogue applied plane by plane as it goes).
    func batchedForwardBatch(x: Tensor, weight: Tensor, bias: Tensor?, epilogue: ConvEpilogue) -> Tensor {
        let compute = Compute.current, rows = c * kk, cols = ScratchStride.padded(imagesPerGemm * plane)
        var y = Tensor(uninitializedShape: outputShape)
        x.withUnsafeBufferPointer { xb in weight.withUnsafeBufferPointer { wb in y.withUnsafeMutableBufferPointer { yb in
        Workspace.shared.with(count: rows * cols + o * cols) { ws in
            let xp = xb.baseAddress!, wp = wb.baseAddress!, yp = yb.baseAddress!, col = ws, out = ws + rows * cols
            forEachImageGroup { first, k in
                let ld = ScratchStride.padded(k * plane)
                func scatter(_ slots: Range<Int>, _ channels: Range<Int>) {
                    for j in slots { for ch in channels {
                        let offset = ((first + j) * o + ch) * plane, dst = yp + offset
                        dst.update(from: out + ch * ld + j * plane, count: plane)
                        if bias != nil || !epilogue.isNone {
                            epilogue.apply(dst, offset: offset, count: plane, bias: bias?.storage[ch])
                        }
                    }}
                }
                guard !Self.splitsOutputChannels(columns: k * plane, outChannels: o) else {
                    compute.forEachChunk(k) { _, slots in for j in slots { gatherColumns(xp, image: first + j, slot: j, k: k, col) } }
                    compute.forEachChunk(o) { _, channels in
                        BLAS.sgemm(m: channels.count, n: k * plane, k: rows, a: wp + channels.lowerBound * rows, lda: rows, b: col, ldb: ld,
                                   beta: 0, c: out + channels.lowerBound * ld, ldc: ld)
                        scatter(0..<k, channels)
                    }
                    return
                }
                compute.forEachChunk(k) { _, slots in
                    let n0 = slots.lowerBound * plane, width = slots.count * plane
                    for j in slots { gatherColumns(xp, image: first + j, slot: j, k: k, col) }
                    BLAS.sgemm(m: o, n: width, k: rows, a: wp, lda: rows, b: col + n0, ldb: ld, beta: 0, c: out + n0, ldc: ld)
                    scatter(slots, 0..<o)
                }
            }
        }}}}
        return y
    }

    /// The backward pass as batched GEMMs. Workers first gather their share of
    /// an image group's columns and output gradients; then each computes the
    /// weight gradient's rows for its share of output channels (summed over
    /// image groups in order, no per-worker partials) and the input gradient
    /// of its images (with fewer columns than column-matrix rows: its share of
    /// the rows for every image, folded into images after all workers finish).
    func batchedBackward(gy: Tensor, x: Tensor, weight: Tensor, needX: Bool, needWeight: Bool) -> (x: Tensor?, weight: Tensor?) {
        let compute = Compute.current, rows = c * kk, cols = ScratchStride.padded(imagesPerGemm * plane)
        var dx = needX ? Tensor(uninitializedShape: [n, c, geo.h, geo.w]) : Tensor(shape: [0])
        var dW = needWeight ? Tensor(uninitializedShape: weight.shape) : Tensor(shape: [0])
        gy.withUnsafeBufferPointer { gb in x.withUnsafeBufferPointer { xb in weight.withUnsafeBufferPointer { wb in
        dx.withUnsafeMutableBufferPointer { dxb in dW.withUnsafeMutableBufferPointer { dwb in
        Workspace.shared.with(count: 2 * rows * cols + o * cols) { ws in
            let gp = gb.baseAddress!, xp = xb.baseAddress!, wp = wb.baseAddress!
            let dxp = dxb.baseAddress, dwp = dwb.baseAddress, col = ws, dcol = ws + rows * cols, gcat = dcol + rows * cols
            forEachImageGroup { first, k in
                let ld = ScratchStride.padded(k * plane), workers = compute.workers(for: k)
                compute.forEachChunk(k) { _, slots in
                    for j in slots {
                        for ch in 0..<o { (gcat + ch * ld + j * plane).update(from: gp + ((first + j) * o + ch) * plane, count: plane) }
                        if needWeight { gatherColumns(xp, image: first + j, slot: j, k: k, col) }
                    }
                }
                // The input gradient's columns `[rows, k*plane]` = W^T gy, for `rowRange` and images `slots`.
                func inputColumns(_ rowRange: Range<Int>, _ slots: Range<Int>) {
                    let n0 = slots.lowerBound * plane, r0 = rowRange.lowerBound
                    BLAS.sgemm(transA: true, m: rowRange.count, n: slots.count * plane, k: o, a: wp + r0, lda: rows, b: gcat + n0, ldb: ld,
                               beta: 0, c: dcol + r0 * ld + n0, ldc: ld)
                }
                func foldColumns(_ slots: Range<Int>) {
                    for j in slots {
                        let dxi = dxp! + (first + j) * c * inPlane
                        if geo.isIdentity {
                            for ch in 0..<c { (dxi + ch * plane).update(from: dcol + ch * ld + j * plane, count: plane) }
                        } else {
                            dxi.update(repeating: 0, count: c * inPlane)
                            geo.col2imAdd(dcol + j * plane, channels: c, dxi, rowStride: ld)
                        }
                    }
                }
                // Few columns: workers split the input gradient's rows too, then fold their images' columns.
                let splitRows = needX && Self.splitsOutputChannels(columns: k * plane, outChannels: rows)
                compute.forEachChunk(k) { worker, slots in
                    if needWeight {
                        let o0 = o * worker / workers, o1 = o * (worker + 1) / workers
                        if o1 > o0 {
                            BLAS.sgemm(transB: true, m: o1 - o0, n: rows, k: k * plane, a: gcat + o0 * ld, lda: ld, b: col, ldb: ld,
                                       beta: first == 0 ? 0 : 1, c: dwp! + o0 * rows, ldc: rows)
                        }
                    }
                    guard needX else { return }
                    if splitRows {
                        inputColumns(rows * worker / workers..<rows * (worker + 1) / workers, 0..<k)
                    } else {
                        inputColumns(0..<rows, slots)
                        foldColumns(slots)
                    }
                }
                if splitRows { compute.forEachChunk(k) { _, slots in foldColumns(slots) } }
            }
        }}}}}}
        return (needX ? dx : nil, needWeight ? dW : nil)
    }
}
