// Flips, quarter turns and transposes, composed into one pixel permutation applied in a single pass.

/// An exact pixel permutation of the dihedral group: `out(x, y) = in(xx*x + xy*y + x0, yx*x + yy*y + y0)`
/// for an output of `width x height`, where `in` is the original tile of `sourceWidth` columns.
struct DihedralMap: Equatable {
    var xx = 1, xy = 0, x0 = 0, yx = 0, yy = 1, y0 = 0
    var width: Int, height: Int
    let sourceWidth: Int

    init(width: Int, height: Int) {
        self.width = width
        self.height = height
        sourceWidth = width
    }

    var isIdentity: Bool { xx == 1 && xy == 0 && x0 == 0 && yx == 0 && yy == 1 && y0 == 0 }

    /// Follows the current result by `out(x, y) = current(a*x + b*y + c, d*x + e*y + f)` with the new size.
    private mutating func then(_ a: Int, _ b: Int, _ c: Int, _ d: Int, _ e: Int, _ f: Int, width w: Int, height h: Int) {
        (xx, xy, x0, yx, yy, y0) = (xx * a + xy * d, xx * b + xy * e, xx * c + xy * f + x0,
                                    yx * a + yy * d, yx * b + yy * e, yx * c + yy * f + y0)
        (width, height) = (w, h)
    }

    /// `x -> W-1-x`.
    mutating func flipHorizontally() { then(-1, 0, width - 1, 0, 1, 0, width: width, height: height) }
    /// `y -> H-1-y`.
    mutating func flipVertically() { then(1, 0, 0, 0, -1, height - 1, width: width, height: height) }
    /// `out(x, y) = in(y, x)`.
    mutating func transpose() { then(0, 1, 0, 1, 0, 0, width: height, height: width) }
    /// One counter-clockwise quarter turn, as `np.rot90`: `out(x, y) = in(W-1-y, x)`.
    mutating func rotateQuarter() { then(0, -1, width - 1, 1, 0, 0, width: height, height: width) }

    /// Moves pixels of `image` (3 channels) and `mask` to their permuted places.
    func permute(image: inout [UInt8], mask: inout [UInt8]) {
        let dx = xx + yx * sourceWidth, dy = xy + yy * sourceWidth, base = x0 + y0 * sourceWidth
        let (w, h) = (width, height)
        let newImage = [UInt8](unsafeUninitializedCapacity: image.count) { out, count in
            image.withUnsafeBufferPointer { src in
                for y in 0..<h {
                    var s = base + y * dy, o = y * w * 3
                    for _ in 0..<w {
                        out[o] = src[3 * s]; out[o + 1] = src[3 * s + 1]; out[o + 2] = src[3 * s + 2]
                        s += dx
                        o += 3
                    }
                }
            }
            count = image.count
        }
        let newMask = [UInt8](unsafeUninitializedCapacity: mask.count) { out, count in
            mask.withUnsafeBufferPointer { src in
                for y in 0..<h {
                    var s = base + y * dy
                    for x in 0..<w { out[y * w + x] = src[s]; s += dx }
                }
            }
            count = mask.count
        }
        image = newImage
        mask = newMask
    }
}

extension Augmenter {
    /// Draws `flip`, `rotate90` and `transpose` and applies their composition in one pass.
    func applyDihedral(image: inout [UInt8], mask: inout [UInt8], record: inout AugmentationRecord,
                       rng: inout AugmentationRNG) {
        var map = DihedralMap(width: record.width, height: record.height)
        if let flip = policy.flip {
            let h = flip.horizontal && rng.chance(flip.p)
            let v = flip.vertical && rng.chance(flip.p)
            if h { map.flipHorizontally() }
            if v { map.flipVertically() }
            if h || v { record.applied.append(.flip(horizontal: h, vertical: v)) }
        }
        if let rotate = policy.rotate90, rng.chance(rotate.p) {
            let k = rng.below(4)
            for _ in 0..<k { map.rotateQuarter() }
            record.applied.append(.rotate90(quarterTurns: k))
        }
        if let transpose = policy.transpose, rng.chance(transpose.p) {
            map.transpose()
            record.applied.append(.transpose)
        }
        guard !map.isIdentity else { return }
        map.permute(image: &image, mask: &mask)
        (record.width, record.height) = (map.width, map.height)
    }
}
