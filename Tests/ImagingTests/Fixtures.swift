import Foundation
import Imaging
import TestSupport

/// Paths and small helpers shared by the Imaging tests.
enum Fixtures {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let scripts = root.appendingPathComponent("scripts/imaging")

    static func script(_ name: String) -> String { scripts.appendingPathComponent(name).path }

    /// A deterministic RGB test image with smooth structure and noise.
    static func image(width: Int, height: Int, seed: UInt64) -> [UInt8] {
        var rng = SeededRandom(seed: seed)
        var out = [UInt8](repeating: 0, count: width * height * 3)
        for y in 0..<height {
            for x in 0..<width {
                for c in 0..<3 {
                    let v = 128 + 90 * sin(Double(x) / 17 + Double(c)) * cos(Double(y) / 13 - Double(c))
                    out[(y * width + x) * 3 + c] = UInt8(max(0, min(255, v + Double(rng.float(-10, 10)))))
                }
            }
        }
        return out
    }

    /// Reference window of an interleaved image: zero outside, area mean rounded half up.
    static func window(_ img: [UInt8], width: Int, height: Int, channels: Int = 3,
                       x: Int, y: Int, w: Int, h: Int, reduce r: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: (w / r) * (h / r) * channels)
        for oy in 0..<(h / r) {
            for ox in 0..<(w / r) {
                for c in 0..<channels {
                    var s = 0
                    for dy in 0..<r {
                        for dx in 0..<r {
                            let ix = x + ox * r + dx, iy = y + oy * r + dy
                            if ix >= 0, iy >= 0, ix < width, iy < height { s += Int(img[(iy * width + ix) * channels + c]) }
                        }
                    }
                    out[(oy * (w / r) + ox) * channels + c] = UInt8((s + r * r / 2) / (r * r))
                }
            }
        }
        return out
    }

    static func maxDiff(_ a: [UInt8], _ b: [UInt8]) -> Int {
        zip(a, b).reduce(0) { max($0, abs(Int($1.0) - Int($1.1))) }
    }
}
