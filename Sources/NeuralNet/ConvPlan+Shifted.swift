/// 3x3, stride-1, padding-1 convolutions without im2col: the input is copied
/// once into a zero-padded plane of width `w + 2`, and the output is the sum of
/// nine GEMMs, one per kernel tap, each reading the padded input at a shifted
/// offset (two junk columns per row are computed and dropped). On large planes
/// with few channels (U-Net decoders, ResNet stems) this beats im2col + one
/// GEMM, which copies the input nine times.
extension ConvPlan {
    /// True when the shifted-GEMM path is taken: it applies and the direct kernel is not used.
    var usesShiftedGemm: Bool { shiftedGemmApplies && !usesDirectConv }

    /// True when the shifted-GEMM path applies and pays off.
    var shiftedGemmApplies: Bool {
        geo.kh == 3 && geo.kw == 3 && geo.sh == 1 && geo.sw == 1 && geo.dh == 1 && geo.dw == 1
            && geo.padTop == 1 && geo.padLeft == 1 && geo.oh == geo.h && geo.ow == geo.w
            && groups == 1 && c >= 8 && c <= 128 && inPlane >= 2048
    }

    var paddedWidth: Int { geo.w + 2 }
    /// Floats of the padded input plane set, with slack for the last tap's overrun.
    var paddedSize: Int { c * (geo.h + 2) * paddedWidth + 4 }
    var wideOutSize: Int { o * geo.h * paddedWidth }

    /// Weights `[o, c, 3, 3]` repacked as nine `[o, c]` matrices, tap-major.
    func tapMajorWeights(_ weight: Tensor) -> [Float] {
        var r = [Float](repeating: 0, count: 9 * o * c)
        for oc in 0..<(o * c) { for k in 0..<9 { r[k * o * c + oc] = weight.storage[oc * 9 + k] } }
        return r
    }

    /// Copies one image `[c, h, w]` into the zero-bordered `[c, h+2, w+2]` buffer.
    func padImage(_ x: UnsafePointer<Float>, _ xp: UnsafeMutablePointer<Float>) {
        let wp = paddedWidth, hp = geo.h + 2
        xp.update(repeating: 0, count: paddedSize)
        for ch in 0..<c { for iy in 0..<geo.h {
            (xp + (ch * hp + iy + 1) * wp + 1).update(from: x + (ch * geo.h + iy) * geo.w, count: geo.w)
        }}
    }

    /// One image: `y = conv(x)` (overwrites `y`), via nine shifted GEMMs.
    func shiftedForward(_ x: UnsafePointer<Float>, _ taps: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>,
                        _ work: UnsafeMutablePointer<Float>) {
        let wp = paddedWidth, hp = geo.h + 2, n = geo.h * wp
        let xp = work, wide = work + paddedSize
        padImage(x, xp)
        for k in 0..<9 {
            BLAS.sgemm(m: o, n: n, k: c, a: taps + k * o * c, lda: c, b: xp + (k / 3) * wp + k % 3, ldb: hp * wp,
                       beta: k == 0 ? 0 : 1, c: wide, ldc: n)
        }
        for ch in 0..<o { for oy in 0..<geo.h {
            (y + (ch * geo.h + oy) * geo.w).update(from: wide + (ch * geo.h + oy) * wp, count: geo.w)
        }}
    }

    /// One image's backward: adds d/d(weight) (tap-major `[9, o, c]`) into `dTaps`
    /// and writes d/d(x) into `dx` when given.
    func shiftedBackward(_ x: UnsafePointer<Float>, _ taps: UnsafePointer<Float>, _ gy: UnsafePointer<Float>,
                         _ dx: UnsafeMutablePointer<Float>?, _ dTaps: UnsafeMutablePointer<Float>?,
                         _ work: UnsafeMutablePointer<Float>) {
        let wp = paddedWidth, hp = geo.h + 2, n = geo.h * wp
        let xp = work, wide = work + paddedSize
        // gy on the wide grid, junk columns zero so they contribute nothing.
        for ch in 0..<o { for oy in 0..<geo.h {
            let row = wide + (ch * geo.h + oy) * wp
            row.update(from: gy + (ch * geo.h + oy) * geo.w, count: geo.w)
            row[geo.w] = 0; row[geo.w + 1] = 0
        }}
        if let dTaps {
            padImage(x, xp)
            for k in 0..<9 {
                BLAS.sgemm(transB: true, m: o, n: c, k: n, a: wide, lda: n, b: xp + (k / 3) * wp + k % 3, ldb: hp * wp,
                           beta: 1, c: dTaps + k * o * c, ldc: c)
            }
        }
        guard let dx else { return }
        xp.update(repeating: 0, count: paddedSize)
        for k in 0..<9 {
            BLAS.sgemm(transA: true, m: c, n: n, k: o, a: taps + k * o * c, lda: c, b: wide, ldb: n,
                       beta: 1, c: xp + (k / 3) * wp + k % 3, ldc: hp * wp)
        }
        for ch in 0..<c { for iy in 0..<geo.h {
            (dx + (ch * geo.h + iy) * geo.w).update(from: xp + (ch * hp + iy + 1) * wp + 1, count: geo.w)
        }}
    }
}
