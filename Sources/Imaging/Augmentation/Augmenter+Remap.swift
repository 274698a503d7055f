// Resampling of image (bilinear) and mask (nearest) through a source-coordinate map, with borders.

extension BorderMode {
    /// The in-tile index that `i` reads from along an axis of `n` pixels, or -1 for the constant border.
    @inline(__always)
    func index(_ i: Int, _ n: Int) -> Int {
        if i >= 0 && i < n { return i }
        switch self {
        case .constant:
            return -1
        case .reflect101:
            if n == 1 { return 0 }
            let period = 2 * n - 2
            let m = ((i % period) + period) % period
            return m < n ? m : period - m
        case .reflect:
            let period = 2 * n
            let m = ((i % period) + period) % period
            return m < n ? m : period - 1 - m
        }
    }
}

/// Where each output pixel `(x, y)` samples the input, in input pixel coordinates.
protocol SourceMap {
    func source(_ x: Int, _ y: Int) -> (x: Float, y: Float)
}

/// `source = (a*x + b*y + c, d*x + e*y + f)`.
struct AffineSourceMap: SourceMap {
    let a: Float, b: Float, c: Float, d: Float, e: Float, f: Float
    @inline(__always)
    func source(_ x: Int, _ y: Int) -> (x: Float, y: Float) {
        let fx = Float(x), fy = Float(y)
        return (a * fx + b * fy + c, d * fx + e * fy + f)
    }
}

/// `source = (x + dx[i], y + dy[i])`, `i = y * width + x`.
struct FieldSourceMap: SourceMap {
    let dx: [Float], dy: [Float], width: Int
    @inline(__always)
    func source(_ x: Int, _ y: Int) -> (x: Float, y: Float) {
        let i = y * width + x
        return (Float(x) + dx[i], Float(y) + dy[i])
    }
}

/// `source = (columns[x], rows[y])`: a separable warp.
struct SeparableSourceMap: SourceMap {
    let columns: [Float], rows: [Float]
    @inline(__always)
    func source(_ x: Int, _ y: Int) -> (x: Float, y: Float) { (columns[x], rows[y]) }
}

/// Resamples a `width x height` tile through `map`: the image bilinearly, the mask by its nearest
/// source pixel (`floor(s + 0.5)`), both reading outside pixels per `border`.
func remap<M: SourceMap>(image: inout [UInt8], mask: inout [UInt8], width: Int, height: Int,
                         map: M, border: BorderMode) {
    let newImage = [UInt8](unsafeUninitializedCapacity: image.count) { out, count in
        image.withUnsafeBufferPointer { src in
            for y in 0..<height {
                for x in 0..<width {
                    let s = map.source(x, y)
                    sampleBilinear(src, width, height, s.x, s.y, border, out, 3 * (y * width + x))
                }
            }
        }
        count = image.count
    }
    let newMask = [UInt8](unsafeUninitializedCapacity: mask.count) { out, count in
        mask.withUnsafeBufferPointer { src in
            for y in 0..<height {
                for x in 0..<width {
                    let s = map.source(x, y)
                    let ix = border.index(floorInt(s.x + 0.5), width)
                    let iy = border.index(floorInt(s.y + 0.5), height)
                    out[y * width + x] = ix < 0 || iy < 0 ? 0 : src[iy * width + ix]
                }
            }
        }
        count = mask.count
    }
    image = newImage
    mask = newMask
}

/// Writes the bilinear sample of RGB `src` at `(sx, sy)` to `out[o..<o+3]`, rounded to nearest.
@inline(__always)
private func sampleBilinear(_ src: UnsafeBufferPointer<UInt8>, _ width: Int, _ height: Int,
                            _ sx: Float, _ sy: Float, _ border: BorderMode,
                            _ out: UnsafeMutableBufferPointer<UInt8>, _ o: Int) {
    let ix = floorInt(sx), iy = floorInt(sy)
    let ax = sx - Float(ix), ay = sy - Float(iy)
    let w00 = (1 - ax) * (1 - ay), w01 = ax * (1 - ay), w10 = (1 - ax) * ay, w11 = ax * ay
    if ix >= 0 && ix + 1 < width && iy >= 0 && iy + 1 < height {
        let p00 = 3 * (iy * width + ix), p10 = p00 + 3 * width
        for ch in 0..<3 {
            var v: Float = 0
            v += w00 * Float(src[p00 + ch])
            v += w01 * Float(src[p00 + 3 + ch])
            v += w10 * Float(src[p10 + ch])
            v += w11 * Float(src[p10 + 3 + ch])
            out[o + ch] = UInt8(min(max(v + 0.5, 0), 255))
        }
        return
    }
    let (x0, x1) = (border.index(ix, width), border.index(ix + 1, width))
    let (y0, y1) = (border.index(iy, height), border.index(iy + 1, height))
    for ch in 0..<3 {
        var v: Float = 0
        if y0 >= 0 {
            if x0 >= 0 { v += w00 * Float(src[3 * (y0 * width + x0) + ch]) }
            if x1 >= 0 { v += w01 * Float(src[3 * (y0 * width + x1) + ch]) }
        }
        if y1 >= 0 {
            if x0 >= 0 { v += w10 * Float(src[3 * (y1 * width + x0) + ch]) }
            if x1 >= 0 { v += w11 * Float(src[3 * (y1 * width + x1) + ch]) }
        }
        out[o + ch] = UInt8(min(max(v + 0.5, 0), 255))
    }
}

/// `Int(floor(x))` without a libm call (baseline x86-64 has no SSE4.1 `roundss`); `x` finite, |x| < 2^31.
@inline(__always)
func floorInt(_ x: Float) -> Int {
    let t = Int(x)
    return Float(t) > x ? t - 1 : t
}
