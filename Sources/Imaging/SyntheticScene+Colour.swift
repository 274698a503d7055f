import Foundation

extension SceneRenderer {
    /// Colours classified pixels: base colour, fibrous texture, grain, nuclei, capillary loops.
    func colour(_ reg: UnsafeMutableBufferPointer<UInt8>, top: Int, rows: Int, into out: UnsafeMutableBufferPointer<UInt8>) {
        let w = scene.width, n = Self.textureSide, seed = scene.seed
        let base = SceneRegion.colour, amp = SceneRegion.texture, density = SceneRegion.nuclei
        let nucleus = SIMD3<Float>(98, 62, 142), capillary = SIMD3<Float>(236, 218, 232)
        let style = scene.style
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
                    // per-image stain, saturation and brightness
                    let gray = (c.x + c.y + c.z) * (1 / 3)
                    c = (SIMD3(repeating: gray) + (c - SIMD3(repeating: gray)) * style.saturation) * style.gain + SIMD3(repeating: style.offset)
                    let o = (r * w + x) * 3
                    out[o] = UInt8(max(0, min(255, c.x))); out[o + 1] = UInt8(max(0, min(255, c.y))); out[o + 2] = UInt8(max(0, min(255, c.z)))
                }
            }
        }
    }

}

/// Separable box blur of an interleaved RGB buffer (edges clamp): the scanner's focus blur. Running
/// sums, so the cost does not grow with the radius.
enum BoxBlur {
    static func apply(_ rgb: inout [UInt8], width: Int, rows: Int, radius: Int) {
        let n = 2 * radius + 1, stride = width * 3
        let divide = (0...(255 * n)).map { UInt8($0 / n) }
        var tmp = rgb
        var sums = [Int](repeating: 0, count: stride)
        divide.withUnsafeBufferPointer { div in
            rgb.withUnsafeMutableBufferPointer { img in
                tmp.withUnsafeMutableBufferPointer { t in
                    sums.withUnsafeMutableBufferPointer { sum in
                        for r in 0..<rows {   // horizontal: img -> t
                            let src = img.baseAddress! + r * stride, dst = t.baseAddress! + r * stride
                            for c in 0..<3 {
                                var s = 0
                                for k in -radius...radius { s += Int(src[min(width - 1, max(0, k)) * 3 + c]) }
                                for x in 0..<width {
                                    dst[x * 3 + c] = div[s]
                                    s += Int(src[min(width - 1, x + radius + 1) * 3 + c]) - Int(src[max(0, x - radius) * 3 + c])
                                }
                            }
                        }
                        for i in 0..<stride {   // vertical: t -> img, all columns at once
                            var s = 0
                            for k in -radius...radius { s += Int(t[min(rows - 1, max(0, k)) * stride + i]) }
                            sum[i] = s
                        }
                        for r in 0..<rows {
                            let add = t.baseAddress! + min(rows - 1, r + radius + 1) * stride
                            let sub = t.baseAddress! + max(0, r - radius) * stride
                            let dst = img.baseAddress! + r * stride
                            for i in 0..<stride {
                                dst[i] = div[sum[i]]
                                sum[i] += Int(add[i]) - Int(sub[i])
                            }
                        }
                    }
                }
            }
        }
    }
}
