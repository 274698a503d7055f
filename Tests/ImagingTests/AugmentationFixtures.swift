import Foundation
import Imaging

/// A tile for augmentation tests: RGB interleaved image, mask, and size.
struct TestTile: Equatable {
    var image: [UInt8]
    var mask: [UInt8]
    var width: Int
    var height: Int

    /// Random image and random 0/1 (or 0/255) mask from `seed`.
    static func random(width: Int, height: Int, seed: UInt64, maskOn: UInt8 = 1) -> TestTile {
        var rng = AugmentationRNG(seed: seed)
        let image = (0..<(width * height * 3)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        let mask = (0..<(width * height)).map { _ in rng.next() & 1 == 0 ? 0 : maskOn }
        return TestTile(image: image, mask: mask, width: width, height: height)
    }

    /// Image encodes each pixel's position (R = x, G = y, B = 0); the mask is random 0/1 per pixel.
    /// Needs width and height <= 256.
    static func positions(width: Int, height: Int, seed: UInt64) -> TestTile {
        var tile = random(width: width, height: height, seed: seed)
        for y in 0..<height {
            for x in 0..<width {
                tile.image[3 * (y * width + x)] = UInt8(x)
                tile.image[3 * (y * width + x) + 1] = UInt8(y)
                tile.image[3 * (y * width + x) + 2] = 0
            }
        }
        return tile
    }

    /// A mask of a few random filled discs (values 0/1), for neighbourhood checks.
    static func blobMask(width: Int, height: Int, seed: UInt64) -> [UInt8] {
        var rng = AugmentationRNG(seed: seed)
        var mask = [UInt8](repeating: 0, count: width * height)
        for _ in 0..<6 {
            let cx = rng.uniform(0, Double(width)), cy = rng.uniform(0, Double(height))
            let r = rng.uniform(4, Double(min(width, height)) / 4)
            for y in 0..<height {
                for x in 0..<width where (Double(x) - cx) * (Double(x) - cx) + (Double(y) - cy) * (Double(y) - cy) < r * r {
                    mask[y * width + x] = 1
                }
            }
        }
        return mask
    }

    /// A uniform-colour tile.
    static func solid(width: Int, height: Int, rgb: (UInt8, UInt8, UInt8)) -> TestTile {
        let image = (0..<(width * height)).flatMap { _ in [rgb.0, rgb.1, rgb.2] }
        return TestTile(image: image, mask: [UInt8](repeating: 1, count: width * height), width: width, height: height)
    }

    /// The tile after `policy` with `seed`, and the record.
    func augmented(_ policy: AugmentationPolicy, seed: UInt64) -> (TestTile, AugmentationRecord) {
        var out = self
        var rng = AugmentationRNG(seed: seed)
        let record = Augmenter(policy: policy).apply(image: &out.image, mask: &out.mask, width: width,
                                                     height: height, rng: &rng)
        out.width = record.width
        out.height = record.height
        return (out, record)
    }

    /// The tile with pixel `(x, y)` of the result taken from `source(x, y)` of this tile, at size `w x h`.
    func permuted(width w: Int, height h: Int, _ source: (Int, Int) -> (Int, Int)) -> TestTile {
        var out = TestTile(image: [], mask: [], width: w, height: h)
        for y in 0..<h {
            for x in 0..<w {
                let (sx, sy) = source(x, y)
                let i = sy * width + sx
                out.image += image[(3 * i)..<(3 * i + 3)]
                out.mask.append(mask[i])
            }
        }
        return out
    }

    /// `np.rot90` applied `k` times (counter-clockwise), by the explicit index formula.
    func rotated(quarterTurns k: Int) -> TestTile {
        var out = self
        for _ in 0..<(k % 4) {
            let (w, h) = (out.width, out.height)
            out = out.permuted(width: h, height: w) { x, y in (w - 1 - y, x) }
        }
        return out
    }
}

/// The policy with only a seed search target: the first seed from 1 whose `rotate90` draws `k` turns.
func seedGivingQuarterTurns(_ k: Int, policy: AugmentationPolicy) -> UInt64 {
    for seed in UInt64(1)...10_000 {
        let tile = TestTile.solid(width: 2, height: 2, rgb: (0, 0, 0))
        if tile.augmented(policy, seed: seed).1.applied.contains(.rotate90(quarterTurns: k)) { return seed }
    }
    fatalError("no seed gives \(k) quarter turns")
}

/// A policy from spec-like JSON.
func decodePolicy(_ json: String) throws -> AugmentationPolicy {
    try JSONDecoder().decode(AugmentationPolicy.self, from: Data(json.utf8))
}

/// FNV-1a of bytes, to pin outputs compactly.
func fnv1a(_ bytes: [UInt8]) -> UInt64 {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for b in bytes { hash = (hash ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
    return hash
}
