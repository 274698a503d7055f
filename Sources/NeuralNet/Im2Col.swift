/// The geometry of a 2-D convolution window sweep over one image plane set:
/// input `h x w`, kernel `kh x kw`, stride, asymmetric padding, dilation,
/// giving output `oh x ow` (PyTorch's formula, padding with zeros).
struct ConvGeometry: Equatable {
    var h, w, kh, kw, sh, sw, padTop, padLeft, dh, dw, oh, ow: Int

    init(h: Int, w: Int, kh: Int, kw: Int, stride: (Int, Int), padding: Padding2d, dilation: (Int, Int)) {
        self.h = h; self.w = w; self.kh = kh; self.kw = kw
        sh = stride.0; sw = stride.1; dh = dilation.0; dw = dilation.1
        padTop = padding.top; padLeft = padding.left
        oh = (h + padding.top + padding.bottom - dh * (kh - 1) - 1) / sh + 1
        ow = (w + padding.left + padding.right - dw * (kw - 1) - 1) / sw + 1
    }

    /// True when the column matrix equals the input (1x1, stride 1, no padding).
    var isIdentity: Bool { kh == 1 && kw == 1 && sh == 1 && sw == 1 && padTop == 0 && padLeft == 0 && oh == h && ow == w }

    /// Output columns `ox` whose input column `ox*sw - padLeft + j*dw` lies inside `0..<w`.
    @inline(__always) func validColumns(_ j: Int) -> Range<Int> {
        let off = j * dw - padLeft
        let lo = off >= 0 ? 0 : (-off + sw - 1) / sw
        let hi = w - off <= 0 ? 0 : min(ow, (w - off + sw - 1) / sw)
        return lo..<max(lo, hi)
    }

    /// Unfolds `channels` planes at `x` into `col`, shape `[channels*kh*kw, oh*ow]`,
    /// whose rows start `rowStride` floats apart (`oh*ow` when nil; larger when
    /// several images' columns sit side by side in one matrix).
    func im2col(_ x: UnsafePointer<Float>, channels: Int, _ col: UnsafeMutablePointer<Float>, rowStride: Int? = nil) {
        let ld = rowStride ?? oh * ow
        for c in 0..<channels {
            let xc = x + c * h * w
            for i in 0..<kh {
                for j in 0..<kw {
                    let row = col + ((c * kh + i) * kw + j) * ld
                    let cols = validColumns(j)
                    for oy in 0..<oh {
                        let out = row + oy * ow
                        let iy = oy * sh - padTop + i * dh
                        guard iy >= 0 && iy < h else { out.update(repeating: 0, count: ow); continue }
                        let src = xc + iy * w + j * dw - padLeft
                        if cols.lowerBound > 0 { out.update(repeating: 0, count: cols.lowerBound) }
                        if sw == 1 {
                            (out + cols.lowerBound).update(from: src + cols.lowerBound, count: cols.count)
                        } else {
                            for ox in cols { out[ox] = src[ox * sw] }
                        }
                        if cols.upperBound < ow { (out + cols.upperBound).update(repeating: 0, count: ow - cols.upperBound) }
                    }
                }
            }
        }
    }

    /// Folds `col` (`[channels*kh*kw, oh*ow]`, rows `rowStride` apart, `oh*ow`
    /// when nil) back, adding into the planes at `x`.
    func col2imAdd(_ col: UnsafePointer<Float>, channels: Int, _ x: UnsafeMutablePointer<Float>, rowStride: Int? = nil) {
        let ld = rowStride ?? oh * ow
        for c in 0..<channels {
            let xc = x + c * h * w
            for i in 0..<kh {
                for j in 0..<kw {
                    let row = col + ((c * kh + i) * kw + j) * ld
                    let cols = validColumns(j)
                    for oy in 0..<oh {
                        let iy = oy * sh - padTop + i * dh
                        guard iy >= 0 && iy < h else { continue }
                        let src = row + oy * ow
                        let dst = xc + iy * w + j * dw - padLeft
                        if sw == 1 {
                            for ox in cols { dst[ox] += src[ox] }
                        } else {
                            for ox in cols { dst[ox * sw] += src[ox] }
                        }
                    }
                }
            }
        }
    }
}
