import Imaging
import Testing

/// Flips, quarter turns and transposes are exact permutations; every transform at p = 0 is the identity.
@Suite struct AugmentationGeometryTests {
    typealias P = AugmentationPolicy

    /// Each transform alone, with p = 0 (parameters at defaults, warps made strong so a bug would show).
    static let zeroProbability: [P] = [
        P(flip: .init(p: 0)), P(rotate90: .init(p: 0)), P(transpose: .init(p: 0)),
        P(shiftScaleRotate: .init(p: 0, rotateLimit: .init(30, 30))), P(elastic: .init(p: 0)),
        P(gridDistortion: .init(p: 0)), P(hueSaturation: .init(p: 0)), P(color: .init(p: 0)),
        P(brightnessContrast: .init(p: 0)), P(gamma: .init(p: 0)), P(blur: .init(p: 0)), P(gaussNoise: .init(p: 0)),
    ]

    @Test(arguments: zeroProbability)
    func zeroProbabilityIsIdentity(policy: P) {
        let tile = TestTile.random(width: 33, height: 20, seed: 5)
        for seed in UInt64(0)..<20 {
            let (out, record) = tile.augmented(policy, seed: seed)
            #expect(out == tile)
            #expect(record.applied.isEmpty)
        }
    }

    @Test func horizontalAndVerticalFlipsMatchIndexFormulas() {
        let tile = TestTile.random(width: 7, height: 5, seed: 1)
        let (w, h) = (tile.width, tile.height)
        let horizontal = tile.augmented(P(flip: .init(p: 1, vertical: false)), seed: 3).0
        #expect(horizontal == tile.permuted(width: w, height: h) { x, y in (w - 1 - x, y) })
        let vertical = tile.augmented(P(flip: .init(p: 1, horizontal: false)), seed: 3).0
        #expect(vertical == tile.permuted(width: w, height: h) { x, y in (x, h - 1 - y) })
        let both = tile.augmented(P(flip: .init(p: 1)), seed: 3)
        #expect(both.0 == tile.permuted(width: w, height: h) { x, y in (w - 1 - x, h - 1 - y) })
        #expect(both.1.applied == [.flip(horizontal: true, vertical: true)])
    }

    @Test func transposeMatchesIndexFormulaAndSwapsSize() {
        let tile = TestTile.random(width: 9, height: 4, seed: 2)
        let (out, record) = tile.augmented(P(transpose: .init(p: 1)), seed: 1)
        #expect(record.width == 4 && record.height == 9)
        #expect(out == tile.permuted(width: 4, height: 9) { x, y in (y, x) })
    }

    @Test(arguments: 0..<4)
    func rotate90MatchesNumpyRot90(k: Int) {
        let policy = P(rotate90: .init(p: 1))
        let tile = TestTile.random(width: 6, height: 3, seed: 4)
        let (out, record) = tile.augmented(policy, seed: seedGivingQuarterTurns(k, policy: policy))
        #expect(record.applied == [.rotate90(quarterTurns: k)])
        #expect((record.width, record.height) == (k % 2 == 0 ? (6, 3) : (3, 6)))
        #expect(out == tile.rotated(quarterTurns: k))
        // The same with the explicit formula for one quarter turn: out(x, y) = in(W-1-y, x).
        if k == 1 { #expect(out == tile.permuted(width: 3, height: 6) { x, y in (5 - y, x) }) }
    }

    @Test func quarterTurnsSummingToFourAreTheIdentity() {
        let policy = P(rotate90: .init(p: 1))
        let tile = TestTile.random(width: 5, height: 8, seed: 6)
        var current = tile, turns = 0, identities = 0
        for seed in UInt64(100)..<160 {
            let (out, record) = current.augmented(policy, seed: seed)
            guard case .rotate90(let k) = record.applied.first else { Issue.record("no rotation"); return }
            turns += k
            current = out
            #expect(current == tile.rotated(quarterTurns: turns))
            if turns % 4 == 0 { #expect(current == tile); identities += 1 }
        }
        #expect(identities > 5)
    }

    @Test func composedDihedralPolicyEqualsSequentialFormulas() {
        let policy = P(flip: .init(p: 0.5), rotate90: .init(p: 0.7), transpose: .init(p: 0.5))
        let tile = TestTile.random(width: 6, height: 4, seed: 8)
        for seed in UInt64(0)..<64 {
            let (out, record) = tile.augmented(policy, seed: seed)
            var expected = tile
            for step in record.applied {
                let (w, h) = (expected.width, expected.height)
                switch step {
                case .flip(let hf, let vf):
                    expected = expected.permuted(width: w, height: h) { x, y in (hf ? w - 1 - x : x, vf ? h - 1 - y : y) }
                case .rotate90(let k): expected = expected.rotated(quarterTurns: k)
                case .transpose: expected = expected.permuted(width: h, height: w) { x, y in (y, x) }
                default: Issue.record("unexpected \(step)")
                }
            }
            #expect(out == expected, "seed \(seed): \(record.applied)")
        }
    }

    @Test func identityWarpsAreExactIdentity() {
        let tile = TestTile.random(width: 31, height: 17, seed: 9)
        let pinned = P(shiftScaleRotate: .init(p: 1, shiftLimit: .init(0, 0), scaleLimit: .init(0, 0), rotateLimit: .init(0, 0)),
                       elastic: .init(p: 1, alpha: 0), gridDistortion: .init(p: 1, distortLimit: .init(0, 0)))
        let (out, record) = tile.augmented(pinned, seed: 1)
        #expect(record.applied.count == 3)
        #expect(out == tile)
    }

    @Test func integerShiftMovesPixelsWithReflectBorder() {
        // On a one-row tile a shift of 0.2 * 10 = 2 columns gives out(x) = in(reflect101(x - 2)).
        let policy = P(shiftScaleRotate: .init(p: 1, shiftLimit: .init(0.2, 0.2), scaleLimit: .init(0, 0),
                                               rotateLimit: .init(0, 0)))
        let row = TestTile.random(width: 10, height: 1, seed: 11)
        let (shifted, _) = row.augmented(policy, seed: 1)
        #expect(shifted == row.permuted(width: 10, height: 1) { x, _ in (abs(x - 2), 0) })
        let reflect = P(shiftScaleRotate: .init(p: 1, shiftLimit: .init(0.2, 0.2), scaleLimit: .init(0, 0),
                                                rotateLimit: .init(0, 0), border: .reflect))
        let (mirrored, _) = row.augmented(reflect, seed: 1)
        #expect(mirrored == row.permuted(width: 10, height: 1) { x, _ in (x >= 2 ? x - 2 : 1 - x, 0) })
    }

    @Test func constantBorderFillsZeroImageAndMask() {
        var tile = TestTile.solid(width: 12, height: 12, rgb: (200, 100, 50))
        tile.mask = [UInt8](repeating: 255, count: 144)
        let policy = P(shiftScaleRotate: .init(p: 1, shiftLimit: .init(0.5, 0.5), scaleLimit: .init(0, 0),
                                               rotateLimit: .init(0, 0), border: .constant))
        let (out, _) = tile.augmented(policy, seed: 2)
        // Shifted by 6 pixels right and down: the top-left 6 rows and columns are outside.
        for y in 0..<12 {
            for x in 0..<12 {
                let inside = x >= 6 && y >= 6
                #expect(out.mask[y * 12 + x] == (inside ? 255 : 0))
                #expect(out.image[3 * (y * 12 + x)] == (inside ? 200 : 0))
            }
        }
    }
}
