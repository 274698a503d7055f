import Foundation

extension SceneRenderer {
    /// Colours classified pixels: base colour, fibrous texture, grain, nuclei, capillary loops.
    func colour(_ reg: UnsafeMutableBufferPointer<UInt8>, top: Int, rows: Int, into out: UnsafeMutableBufferPointer<UInt8>) {
        let w = scene.width, n = Self.textureSide, seed = scene.seed
        let base = SceneRegion.colour, amp = SceneRegion.texture, density = SceneRegion.nuclei
        let nucleus = SIMD3<Float>(98, 62, 142), capillary = SIMD3<Float>(236, 218, 232)
        textureBuffer { tex in
            for r in 0..<rows {
                let y = top + r
                for x in 0..<w {
                    let k = Int(reg[r * w + x])
                    let t = tex[(y & (n - 1)) * n + (x & (n - 1))] * 0.6 + tex[((y / 3 + 97) & (n - 1)) * n + ((x / 3 + 31) & (n - 1))] * 0.4
                    let grain = Float(SyntheticNoise.hash(x, y, seed ^ 0x91) & 0xFF) / 32 - 4
                    var c = base[k] * (1 + amp[k] / 255 * t) + SIMD3(repeating: grain)
                    if k != 0 {
                        let h = SyntheticNoise.hash(x / 9, y / 9, seed ^ 0x33)
                        if Float(h & 0xFFFF) / 65536 < density[k] {
                            let ox = 2 + Float((h >> 16) & 0xFF) / 52, oy = 2 + Float((h >> 24) & 0xFF) / 52
                            let dx = Float(x % 9) - ox, dy = Float(y % 9) - oy
                            if dx * dx + dy * dy < 2.2 + Float((h >> 32) & 0xFF) / 56 {
                                c = nucleus * (0.85 + Float((h >> 40) & 0xFF) / 1000)
                            }
                        }
                        if k == Int(SceneRegion.tuft) {
                            let q = SyntheticNoise.hash(x / 7, y / 7, seed ^ 0x44)
                            if q & 0xFF < 140 {
                                let dx = Float(x % 7) - 1.5 - Float((q >> 8) & 0xFF) / 64, dy = Float(y % 7) - 1.5 - Float((q >> 16) & 0xFF) / 64
                                if dx * dx + dy * dy < 2.5 + Float((q >> 24) & 0xFF) / 70 { c = capillary }
                            }
                        }
                    }
                    let o = (r * w + x) * 3
                    out[o] = UInt8(max(0, min(255, c.x))); out[o + 1] = UInt8(max(0, min(255, c.y))); out[o + 2] = UInt8(max(0, min(255, c.z)))
                }
            }
        }
    }

    /// Per-image stain, saturation and brightness.
    func applyStyle(_ rgb: inout [UInt8]) {
        let s = scene.style
        rgb.withUnsafeMutableBufferPointer { p in
            var i = 0
            while i < p.count {
                let c = SIMD3<Float>(Float(p[i]), Float(p[i + 1]), Float(p[i + 2]))
                let gray = (c.x + c.y + c.z) / 3
                let v = (SIMD3(repeating: gray) + (c - SIMD3(repeating: gray)) * s.saturation) * s.gain + SIMD3(repeating: s.offset)
                p[i] = UInt8(max(0, min(255, v.x))); p[i + 1] = UInt8(max(0, min(255, v.y))); p[i + 2] = UInt8(max(0, min(255, v.z)))
                i += 3
            }
        }
    }
}

/// Separable box blur of an interleaved RGB buffer (edges clamp): the scanner's focus blur.
enum BoxBlur {
    static func apply(_ rgb: inout [UInt8], width: Int, rows: Int, radius: Int) {
        var tmp = rgb
        let n = 2 * radius + 1
        rgb.withUnsafeMutableBufferPointer { img in
            tmp.withUnsafeMutableBufferPointer { t in
                for r in 0..<rows {   // horizontal: img -> t
                    for c in 0..<3 {
                        for x in 0..<width {
                            var s = 0
                            for k in -radius...radius { s += Int(img[(r * width + min(width - 1, max(0, x + k))) * 3 + c]) }
                            t[(r * width + x) * 3 + c] = UInt8(s / n)
                        }
                    }
                }
                for r in 0..<rows {   // vertical: t -> img
                    for i in 0..<(width * 3) {
                        var s = 0
                        for k in -radius...radius { s += Int(t[min(rows - 1, max(0, r + k)) * width * 3 + i]) }
                        img[r * width * 3 + i] = UInt8(s / n)
                    }
                }
            }
        }
    }
}
