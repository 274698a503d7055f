// Hue/saturation/value shifts per pixel in floating-point HSV with OpenCV's uint8 scales.

extension Augmenter {
    /// Shifts every pixel of RGB `image` in HSV: hue (0..<180, 2 degrees per unit) wraps, saturation
    /// and value (0...255) clamp, then converts back with rounding. A zero shift is the identity.
    /// Works on planar chunks of 256 pixels with branch-free arithmetic so the loop vectorizes.
    static func shiftHSV(_ image: inout [UInt8], hue: Float, saturation: Float, value: Float) {
        let shift = HSVShift(hue: hue - 180 * (hue / 180).rounded(.down), saturation: saturation, value: value)
        let chunk = 256
        var planes = [Float](repeating: 0, count: 3 * chunk)
        image.withUnsafeMutableBufferPointer { px in
            planes.withUnsafeMutableBufferPointer { plane in
                let (r, g, b) = (plane.baseAddress!, plane.baseAddress! + chunk, plane.baseAddress! + 2 * chunk)
                let pixels = px.count / 3
                for start in stride(from: 0, to: pixels, by: chunk) {
                    let n = min(chunk, pixels - start), base = px.baseAddress! + 3 * start
                    for i in 0..<n { r[i] = Float(base[3 * i]); g[i] = Float(base[3 * i + 1]); b[i] = Float(base[3 * i + 2]) }
                    for i in 0..<n { shift.apply(&r[i], &g[i], &b[i]) }
                    for i in 0..<n {
                        base[3 * i] = UInt8(r[i] + 0.5); base[3 * i + 1] = UInt8(g[i] + 0.5); base[3 * i + 2] = UInt8(b[i] + 0.5)
                    }
                }
            }
        }
    }

    /// OpenCV's RGB -> HSV on 0...255 inputs, without quantizing: h in [0, 180), s and v in 0...255.
    @inline(__always)
    static func rgbToHSV(_ r: Float, _ g: Float, _ b: Float) -> (Float, Float, Float) {
        let v = max(r, g, b), delta = v - min(r, g, b)
        guard delta > 0 else { return (0, 0, v) }
        let s = 255 * delta / v
        var h: Float
        if v == r { h = 30 * (g - b) / delta } else if v == g { h = 60 + 30 * (b - r) / delta } else { h = 120 + 30 * (r - g) / delta }
        if h < 0 { h += 180 }
        if h >= 180 { h -= 180 }
        return (h, s, v)
    }

    /// The inverse of `rgbToHSV`: returns r, g, b in 0...255 (not rounded).
    @inline(__always)
    static func hsvToRGB(_ h: Float, _ s: Float, _ v: Float) -> (Float, Float, Float) {
        let sector = h / 30
        let i = min(Int(sector), 5)
        let f = sector - Float(i), sf = s / 255
        let p = v * (1 - sf), q = v * (1 - sf * f), t = v * (1 - sf * (1 - f))
        switch i {
        case 0: return (v, t, p)
        case 1: return (q, v, p)
        case 2: return (p, v, t)
        case 3: return (p, q, v)
        case 4: return (t, p, v)
        default: return (v, p, q)
        }
    }
}

/// One HSV shift, applied branch-free (selects only) to one pixel in 0...255 floats.
struct HSVShift {
    /// Hue shift in [0, 180); saturation and value shifts in levels.
    let hue: Float, saturation: Float, value: Float

    /// RGB -> HSV (OpenCV scales, unquantized), shift, HSV -> RGB by `f(n) = v - v*s*clamp(min(k, 4-k), 0, 1)`
    /// with `k = (n + h/30) mod 6` for n = 5, 3, 1 (r, g, b).
    @inline(__always)
    func apply(_ r: inout Float, _ g: inout Float, _ b: inout Float) {
        let rg = r > g ? r : g, v = rg > b ? rg : b
        let mrg = r < g ? r : g, mn = mrg < b ? mrg : b
        let delta = v - mn
        let scale = 30 / (delta > 0 ? delta : 1)
        let hr = (g - b) * scale, hg = 60 + (b - r) * scale, hb = 120 + (r - g) * scale
        var h = v == r ? hr : (v == g ? hg : hb)
        h = delta > 0 ? h : 0
        h += h < 0 ? 180 : 0
        h += hue
        h -= h >= 180 ? 180 : 0
        let s0 = 255 * delta / (v > 0 ? v : 1)
        let s1 = s0 + saturation, v1 = v + value
        let s = s1 < 0 ? 0 : (s1 > 255 ? 255 : s1), val = v1 < 0 ? 0 : (v1 > 255 ? 255 : v1)
        let chroma = val * (s / 255), sector = h / 30
        r = val - chroma * Self.ramp(5 + sector)
        g = val - chroma * Self.ramp(3 + sector)
        b = val - chroma * Self.ramp(1 + sector)
    }

    /// `clamp(min(k, 4 - k), 0, 1)` for `k` taken modulo 6 (`k` in [0, 12)).
    @inline(__always)
    static func ramp(_ k0: Float) -> Float {
        let k = k0 >= 6 ? k0 - 6 : k0
        let m = k < 4 - k ? k : 4 - k
        return m < 0 ? 0 : (m > 1 ? 1 : m)
    }
}
