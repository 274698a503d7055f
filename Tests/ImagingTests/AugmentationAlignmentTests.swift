import Imaging
import Testing

/// Property tests: geometric transforms keep every mask pixel on the image pixel it came with.
/// The image encodes each pixel's source position (R = x, G = y), so after any warp the image says
/// where a pixel came from, and the mask there must be the original mask at that place.
@Suite struct AugmentationAlignmentTests {
    typealias P = AugmentationPolicy

    /// The source position an augmented pixel's colour encodes.
    static func decoded(_ tile: TestTile, _ i: Int) -> (x: Int, y: Int) {
        (Int(tile.image[3 * i]), Int(tile.image[3 * i + 1]))
    }

    @Test(arguments: [(24, 24), (40, 17), (1, 9)])
    func permutationsKeepMaskOnItsPixelExactly(width: Int, height: Int) {
        let policy = P(flip: .init(p: 0.5), rotate90: .init(p: 0.5), transpose: .init(p: 0.5))
        for seed in UInt64(0)..<200 {
            let tile = TestTile.positions(width: width, height: height, seed: seed)
            let (out, _) = tile.augmented(policy, seed: seed)
            var seen = Set<Int>()
            for i in 0..<(out.width * out.height) {
                let (x, y) = Self.decoded(out, i)
                #expect(out.mask[i] == tile.mask[y * width + x])
                seen.insert(y * width + x)
            }
            #expect(seen.count == width * height, "seed \(seed): not a permutation")
        }
    }

    static let warps: [P] = [
        P(shiftScaleRotate: .init(p: 1)),
        P(shiftScaleRotate: .init(p: 1, shiftLimit: .init(symmetric: 0.3), scaleLimit: .init(symmetric: 0.4),
                                  rotateLimit: .init(symmetric: 180), border: .reflect)),
        P(elastic: .init(p: 1, alpha: 200, sigma: 5)),
        P(gridDistortion: .init(p: 1, numSteps: 4, distortLimit: .init(symmetric: 0.5))),
    ]

    /// One bilinear warp: the image's rounded source position and the mask's nearest source pixel are
    /// the same rounding of the same coordinate, so nearly every pixel agrees exactly (only float
    /// ties may differ) and every pixel agrees within one pixel.
    @Test(arguments: warps)
    func singleWarpKeepsMaskAligned(policy: P) {
        let (width, height) = (48, 37)
        for seed in UInt64(0)..<25 {
            let tile = TestTile.positions(width: width, height: height, seed: seed)
            let (out, record) = tile.augmented(policy, seed: seed)
            #expect(record.applied.count == 1)
            let exact = (0..<(width * height)).filter { i in
                let (x, y) = Self.decoded(out, i)
                return out.mask[i] == tile.mask[y * width + x]
            }.count
            #expect(Double(exact) >= 0.995 * Double(width * height), "seed \(seed): \(exact) exact")
        }
    }

    /// Every geometric transform at once: each bilinear step rounds the encoded position again, so
    /// after a chain the mask may sit up to two pixels off the decoded position (never more), and on
    /// blob masks it agrees exactly everywhere but near blob edges.
    @Test func fullGeometricPolicyKeepsMaskWithinTwoPixels() {
        let policy = P(flip: .init(p: 0.5), rotate90: .init(p: 0.5), transpose: .init(p: 0.5),
                       shiftScaleRotate: .init(p: 0.8), elastic: .init(p: 0.5, alpha: 60, sigma: 6),
                       gridDistortion: .init(p: 0.5))
        let (width, height) = (40, 40)
        for seed in UInt64(0)..<40 {
            var tile = TestTile.positions(width: width, height: height, seed: seed)
            tile.mask = TestTile.blobMask(width: width, height: height, seed: seed)
            let (out, _) = tile.augmented(policy, seed: seed)
            var exact = 0
            for i in 0..<(width * height) {
                let (x, y) = Self.decoded(out, i)
                exact += out.mask[i] == tile.mask[y * width + x] ? 1 : 0
                let near = (-2...2).flatMap { dy in (-2...2).map { dx in
                    tile.mask[min(max(y + dy, 0), height - 1) * width + min(max(x + dx, 0), width - 1)]
                } }
                #expect(near.contains(out.mask[i]), "seed \(seed) pixel \(i)")
            }
            #expect(Double(exact) >= 0.97 * Double(width * height), "seed \(seed): \(exact) exact")
        }
    }

    @Test func photometricTransformsLeaveTheMaskAlone() {
        let policy = P(hueSaturation: .init(p: 1), color: .init(p: 1), brightnessContrast: .init(p: 1),
                       gamma: .init(p: 1), blur: .init(p: 1), gaussNoise: .init(p: 1))
        let tile = TestTile.random(width: 20, height: 20, seed: 3, maskOn: 255)
        for seed in UInt64(0)..<10 {
            let (out, record) = tile.augmented(policy, seed: seed)
            #expect(out.mask == tile.mask)
            #expect(out.image != tile.image)
            #expect(record.applied.count == 6)
        }
    }

    @Test func maskValuesAreNeverBlended() {
        let policy = P(shiftScaleRotate: .init(p: 1), elastic: .init(p: 1), gridDistortion: .init(p: 1))
        let tile = TestTile.random(width: 32, height: 32, seed: 4, maskOn: 255)
        for seed in UInt64(0)..<10 {
            let (out, _) = tile.augmented(policy, seed: seed)
            #expect(out.mask.allSatisfy { $0 == 0 || $0 == 255 })
        }
    }
}
