// Hue/saturation/value shifts per pixel in floating-point HSV with OpenCV's uint8 scales.

extension Augmenter {
    /// Shifts every pixel of RGB `image` in HSV: hue (0..<180, 2 degrees per unit) wraps, saturation
    /// and value (0...255) clamp, then converts back with rounding. A zero shift is the identity.
    static func shiftHSV(_ image: inout [UInt8], hue: Float, saturation: Float, value: Float) {
        let hueShift = hue - 180 * (hue / 180).rounded(.down)      // in [0, 180)
        image.withUnsafeMutableBufferPointer { px in
            for p in stride(from: 0, to: px.count, by: 3) {
                var (h, s, v) = rgbToHSV(Float(px[p]), Float(px[p + 1]), Float(px[p + 2]))
                h += hueShift
                if h >= 180 { h -= 180 }
                s = min(max(s + saturation, 0), 255)
                v = min(max(v + value, 0), 255)
                let (r, g, b) = hsvToRGB(h, s, v)
                px[p] = UInt8(r + 0.5)
                px[p + 1] = UInt8(g + 0.5)
                px[p + 2] = UInt8(b + 0.5)
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
