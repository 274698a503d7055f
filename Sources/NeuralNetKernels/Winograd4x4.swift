/// The transforms of Winograd's F(4x4, 3x3) (Lavin & Gray 2016; the
/// interpolation points 0, ±1, ±2 and ∞): a 4x4 output tile of a 3x3
/// convolution is `A^T [(G g G^T) ⊙ (B^T d B)] A` for the 6x6 input tile `d`
/// and filter `g`, 36 multiplications instead of 144 (F(2x2, 3x3) does 64 for
/// the same 16 outputs).
///
///     B^T = [4 0 -5 0 1 0; 0 -4 -4 1 1 0; 0 4 -4 -1 1 0; 0 -2 -1 2 1 0; 0 2 -1 -2 1 0; 0 4 0 -5 0 1]
///     G   = [¼ 0 0; -⅙ -⅙ -⅙; -⅙ ⅙ -⅙; 1/24 1/12 ⅙; 1/24 -1/12 ⅙; 0 0 1]
///     A^T = [1 1 1 1 1 0; 0 1 -1 2 -2 0; 0 1 1 4 4 0; 0 1 -1 8 -8 1]
///
/// The layout follows `WinogradTransforms`: element `p = 6 * row + column` of
/// a tile in matrix `p`, so the products over channels are 36 GEMMs, and the
/// gradients run the algebra backwards (`dZ = A dY A^T`, `dg = G^T dU G`).
/// Every step works on eight tiles (or filters) at a time: the first pass
/// transforms the columns into a scratch of lane vectors, the second its rows.
/// This module's AVX2 + FMA build only: NeuralNet takes this scheme only where
/// `KernelSupport.available` (elsewhere F(2x2, 3x3)).
public enum Winograd4x4 {
    public typealias Lane = SIMD8<Float>
    /// Outputs a tile covers along each side.
    public static let tile = 4
    /// Transformed elements per tile (and GEMMs per convolution).
    public static let elements = 36

    // MARK: The four one-dimensional transforms

    /// `B^T d` for a column `d` of six.
    @inline(__always)
    static func inputColumn(_ d: (Lane, Lane, Lane, Lane, Lane, Lane)) -> (Lane, Lane, Lane, Lane, Lane, Lane) {
        (4 * d.0 - 5 * d.2 + d.4,
         d.3 + d.4 - 4 * (d.1 + d.2),
         d.4 - d.3 + 4 * (d.1 - d.2),
         d.4 - d.2 + 2 * (d.3 - d.1),
         d.4 - d.2 + 2 * (d.1 - d.3),
         4 * d.1 - 5 * d.3 + d.5)
    }

    /// `A^T m` for a column `m` of six.
    @inline(__always)
    static func outputColumn(_ m: (Lane, Lane, Lane, Lane, Lane, Lane)) -> (Lane, Lane, Lane, Lane) {
        let sum12 = m.1 + m.2, diff12 = m.1 - m.2, sum34 = m.3 + m.4, diff34 = m.3 - m.4
        return (m.0 + sum12 + sum34, diff12 + 2 * diff34, sum12 + 4 * sum34, diff12 + 8 * diff34 + m.5)
    }

    /// `A y` for a column `y` of four (the output transform's adjoint).
    @inline(__always)
    static func gradientColumn(_ y: (Lane, Lane, Lane, Lane)) -> (Lane, Lane, Lane, Lane, Lane, Lane) {
        let near = y.0 + y.2, nearOdd = y.1 + y.3, far = y.0 + 4 * y.2, farOdd = 2 * y.1 + 8 * y.3
        return (y.0, near + nearOdd, near - nearOdd, far + farOdd, far - farOdd, y.3)
    }

    /// `G g` for a column `g` of three.
    @inline(__always)
    static func filterColumn(_ g: (Lane, Lane, Lane)) -> (Lane, Lane, Lane, Lane, Lane, Lane) {
        let outer = g.0 + g.2, quarter = g.0 * (1 / 24 as Float) + g.2 * (1 / 6 as Float), middle = g.1 * (1 / 12 as Float)
        return (g.0 * 0.25, (outer + g.1) * (-1 / 6 as Float), (outer - g.1) * (-1 / 6 as Float), quarter + middle, quarter - middle, g.2)
    }

    /// `G^T u` for a column `u` of six.
    @inline(__always)
    static func filterGradientColumn(_ u: (Lane, Lane, Lane, Lane, Lane, Lane)) -> (Lane, Lane, Lane) {
        let sum12 = u.1 + u.2, sum34 = u.3 + u.4
        return (u.0 * 0.25 - sum12 * (1 / 6 as Float) + sum34 * (1 / 24 as Float),
                (u.2 - u.1) * (1 / 6 as Float) + (u.3 - u.4) * (1 / 12 as Float),
                (sum34 - sum12) * (1 / 6 as Float) + u.5)
    }

    // MARK: Filters

    /// `U = G g G^T` for filters `range` of the 3x3 filters at `g` (9 floats
    /// apart), element `p` of filter `f` written to `u[p * matrixStride + f]`.
    public static func filters(_ g: UnsafePointer<Float>, _ range: Range<Int>, matrixStride: Int, _ u: UnsafeMutablePointer<Float>) {
        withUnsafeTemporaryAllocation(of: Lane.self, capacity: 18) { scratch in
            let t = scratch.baseAddress!
            for f in stride(from: range.lowerBound, to: range.upperBound, by: Lane.scalarCount) {
                let valid = min(Lane.scalarCount, range.upperBound - f)
                // Element k of the eight filters as one lane vector.
                func w(_ k: Int) -> Lane {
                    var v = Lane()
                    for l in 0..<valid { v[l] = g[9 * (f + l) + k] }
                    return v
                }
                for j in 0..<3 { put(filterColumn((w(j), w(3 + j), w(6 + j))), t + j, stride: 3) }
                for i in 0..<6 {
                    put(filterColumn((t[3 * i], t[3 * i + 1], t[3 * i + 2])), u + 6 * i * matrixStride + f, stride: matrixStride, valid: valid)
                }
            }
        }
    }

    /// `dg = G^T dU G`: the gradients of filters `range` from
    /// transformed ones laid out as `filters` writes them, written 9 floats
    /// apart at `dg`. Reads up to seven floats past the last.
    public static func filterGradients(_ du: UnsafePointer<Float>, _ range: Range<Int>, matrixStride: Int, _ dg: UnsafeMutablePointer<Float>) {
        withUnsafeTemporaryAllocation(of: Lane.self, capacity: 18) { scratch in
            let t = scratch.baseAddress!
            for f in stride(from: range.lowerBound, to: range.upperBound, by: Lane.scalarCount) {
                let valid = min(Lane.scalarCount, range.upperBound - f)
                func e(_ p: Int) -> Lane { LaneMath.load(du + p * matrixStride + f) }
                for k in 0..<6 {
                    let c = filterGradientColumn((e(k), e(6 + k), e(12 + k), e(18 + k), e(24 + k), e(30 + k)))
                    t[k] = c.0; t[6 + k] = c.1; t[12 + k] = c.2
                }
                for a in 0..<3 {
                    let r = t + 6 * a, row = filterGradientColumn((r[0], r[1], r[2], r[3], r[4], r[5]))
                    for l in 0..<valid {
                        let out = dg + 9 * (f + l) + 3 * a
                        out[0] = row.0[l]; out[1] = row.1[l]; out[2] = row.2[l]
                    }
                }
            }
        }
    }

    // MARK: Tiles

    /// Floats of the split padded plane `planeInputTiles` uses, for `tilesY x tilesX` tiles.
    public static func splitPlaneSize(tilesY: Int, tilesX: Int) -> Int { (4 * tilesY + 2) * 4 * (tilesX + 1) + Lane.scalarCount }

    /// Writes row `iy` of an `h x w` plane (`row`, `w` floats) into the split
    /// padded plane `split` as padded row `iy + 1` (zero padding 1 around the
    /// plane) in four phases of `tilesX + 1` floats: phase `q` holds padded
    /// columns `4k + q`, so a column of eight tiles is one contiguous load.
    static func splitRow(_ row: UnsafePointer<Float>, w: Int, tilesX: Int, iy: Int, _ split: UnsafeMutablePointer<Float>) {
        let phase = tilesX + 1, p0 = split + (iy + 1) * 4 * phase, p1 = p0 + phase, p2 = p1 + phase, p3 = p2 + phase
        // Padded column 4k + q holds row[4k + q - 1].
        p0[0] = 0
        var k = 0
        while 4 * (k + Lane.scalarCount) <= w {
            let q = deinterleave(row + 4 * k)
            LaneMath.store(q.0, p1 + k); LaneMath.store(q.1, p2 + k); LaneMath.store(q.2, p3 + k); LaneMath.store(q.3, p0 + k + 1)
            k += Lane.scalarCount
        }
        while k <= tilesX {
            let x = 4 * k
            p1[k] = x < w ? row[x] : 0
            p2[k] = x + 1 < w ? row[x + 1] : 0
            p3[k] = x + 2 < w ? row[x + 2] : 0
            if k < tilesX { p0[k + 1] = x + 3 < w ? row[x + 3] : 0 }
            k += 1
        }
    }

    /// `B^T d B` of every 6x6 tile of `planes` consecutive `h x w` planes at `x`
    /// (tiles 4 apart, zero padding 1): element `p` of tile `(ty, tx)` of plane
    /// `k` goes to `v[k * planeStride + p * matrixStride + ty * tilesX + tx]`.
    /// `split` is scratch of `splitPlaneSize` floats.
    public static func planeInputTiles(_ x: UnsafePointer<Float>, planes: Int, h: Int, w: Int, _ split: UnsafeMutablePointer<Float>,
                                       _ v: UnsafeMutablePointer<Float>, planeStride: Int, matrixStride: Int) {
        let tilesY = (h + 3) / 4, tilesX = (w + 3) / 4, phase = tilesX + 1, rowStride = 4 * phase
        split.update(repeating: 0, count: rowStride)
        (split + (h + 1) * rowStride).update(repeating: 0, count: (4 * tilesY + 1 - h) * rowStride)
        withUnsafeTemporaryAllocation(of: Lane.self, capacity: 36) { scratch in
        withUnsafeTemporaryAllocation(of: Int.self, capacity: Lane.scalarCount) { starts in
            let t = scratch.baseAddress!, start = starts.baseAddress!
            for k in 0..<planes {
                for iy in 0..<h { splitRow(x + (k * h + iy) * w, w: w, tilesX: tilesX, iy: iy, split) }
                forEightTiles(tilesY: tilesY, tilesX: tilesX) { t0, valid, ty, tx in
                    // Column j of the eight tiles, padded rows r: phase j % 4 from index j / 4.
                    if tx + Lane.scalarCount <= tilesX {
                        let top = split + 4 * ty * rowStride + tx
                        for j in 0..<6 {
                            let column = top + (j % 4) * phase + j / 4
                            func d(_ r: Int) -> Lane { LaneMath.load(column + r * rowStride) }
                            put(inputColumn((d(0), d(1), d(2), d(3), d(4), d(5))), t + j, stride: 6)
                        }
                    } else if tilesX == 2 || tilesX == 4 {
                        // Whole tile rows of two or four tiles: one short load per row.
                        let rows = (valid + tilesX - 1) / tilesX, top = split + 4 * ty * rowStride
                        for j in 0..<6 {
                            let column = top + (j % 4) * phase + j / 4
                            func d(_ r: Int) -> Lane { loadRuns(column + r * rowStride, step: 4 * rowStride, run: tilesX, runs: rows) }
                            put(inputColumn((d(0), d(1), d(2), d(3), d(4), d(5))), t + j, stride: 6)
                        }
                    } else {
                        // Tiles from several tile rows (small planes): lane by lane.
                        for l in 0..<Lane.scalarCount {
                            let (y, x) = (t0 + min(l, valid - 1)).quotientAndRemainder(dividingBy: tilesX)
                            start[l] = 4 * y * rowStride + x
                        }
                        for j in 0..<6 {
                            let column = split + (j % 4) * phase + j / 4
                            func d(_ r: Int) -> Lane {
                                let row = column + r * rowStride
                                var lane = Lane()
                                for l in 0..<Lane.scalarCount { lane[l] = row[start[l]] }
                                return lane
                            }
                            put(inputColumn((d(0), d(1), d(2), d(3), d(4), d(5))), t + j, stride: 6)
                        }
                    }
                    let out = v + k * planeStride + t0
                    for i in 0..<6 {
                        let r = t + 6 * i
                        put(inputColumn((r[0], r[1], r[2], r[3], r[4], r[5])), out + 6 * i * matrixStride, stride: matrixStride, valid: valid)
                    }
                }
            }
        }}
    }

    /// `A dY A^T` of every 4x4 tile of an `h x w` output-gradient plane (zeros
    /// past the edges), element `p` of tile `(ty, tx)` to `v[p * matrixStride + ty * tilesX + tx]`.
    public static func outputGradientTiles(_ gy: UnsafePointer<Float>, h: Int, w: Int, _ v: UnsafeMutablePointer<Float>, matrixStride: Int) {
        let tilesY = (h + 3) / 4, tilesX = (w + 3) / 4
        withUnsafeTemporaryAllocation(of: Lane.self, capacity: 40) { scratch in
            // dY's rows as four column vectors each (c[4r + j]), then A dY column by column (t[4i + j]).
            let c = scratch.baseAddress!, t = c + 16
            forEightTiles(tilesY: tilesY, tilesX: tilesX) { t0, valid, ty, tx in
                if tx + Lane.scalarCount > tilesX {
                    // Tiles from several tile rows (small planes): lane by lane.
                    for k in 0..<16 { c[k] = Lane() }
                    for l in 0..<valid {
                        let (tileY, tileX) = (t0 + l).quotientAndRemainder(dividingBy: tilesX)
                        for r in 0..<min(4, h - 4 * tileY) { for j in 0..<min(4, w - 4 * tileX) {
                            c[4 * r + j][l] = gy[(4 * tileY + r) * w + 4 * tileX + j]
                        }}
                    }
                } else {
                    for r in 0..<4 {
                        let y = 4 * ty + r, row = gy + y * w + 4 * tx
                        if y >= h {
                            for j in 0..<4 { c[4 * r + j] = Lane() }
                        } else if 4 * (tx + Lane.scalarCount) <= w {
                            (c[4 * r], c[4 * r + 1], c[4 * r + 2], c[4 * r + 3]) = deinterleave(row)
                        } else {
                            for j in 0..<4 {
                                var lane = Lane()
                                for l in 0..<valid where 4 * (tx + l) + j < w { lane[l] = row[4 * l + j] }
                                c[4 * r + j] = lane
                            }
                        }
                    }
                }
                for j in 0..<4 { put(gradientColumn((c[j], c[4 + j], c[8 + j], c[12 + j])), t + j, stride: 4) }
                let out = v + t0
                for i in 0..<6 {
                    let r = t + 4 * i
                    put(gradientColumn((r[0], r[1], r[2], r[3])), out + 6 * i * matrixStride, stride: matrixStride, valid: valid)
                }
            }
        }
    }

    /// `A^T M A` of every tile of one output plane `h x w`: element `p` of tile
    /// `(ty, tx)` read from `m[p * matrixStride + ty * tilesX + tx]`. Reads up
    /// to `Lane.scalarCount - 1` floats past the last tile of matrix 35.
    public static func outputTiles(_ m: UnsafePointer<Float>, matrixStride: Int, h: Int, w: Int, _ y: UnsafeMutablePointer<Float>) {
        let tilesY = (h + 3) / 4, tilesX = (w + 3) / 4
        withUnsafeTemporaryAllocation(of: Lane.self, capacity: 40) { scratch in
            let t = scratch.baseAddress!
            forEightTiles(tilesY: tilesY, tilesX: tilesX) { t0, valid, ty, tx in
                    let src = m + t0
                    func e(_ p: Int) -> Lane { LaneMath.load(src + p * matrixStride) }
                    // A^T M column by column (t[6r + k]), then each of its rows times A.
                    for k in 0..<6 {
                        let s = outputColumn((e(k), e(6 + k), e(12 + k), e(18 + k), e(24 + k), e(30 + k)))
                        t[k] = s.0; t[6 + k] = s.1; t[12 + k] = s.2; t[18 + k] = s.3
                    }
                    if tx + Lane.scalarCount > tilesX {
                        // Tiles from several tile rows (small planes): the four rows, then lane by lane.
                        let rows = t + 24
                        for r in 0..<4 {
                            let s = t + 6 * r, row = outputColumn((s[0], s[1], s[2], s[3], s[4], s[5]))
                            (rows[4 * r], rows[4 * r + 1], rows[4 * r + 2], rows[4 * r + 3]) = row
                        }
                        for l in 0..<valid {
                            let (tileY, tileX) = (t0 + l).quotientAndRemainder(dividingBy: tilesX)
                            for r in 0..<min(4, h - 4 * tileY) { for j in 0..<min(4, w - 4 * tileX) {
                                y[(4 * tileY + r) * w + 4 * tileX + j] = rows[4 * r + j][l]
                            }}
                        }
                        return
                    }
                    for r in 0..<min(4, h - 4 * ty) {
                        let s = t + 6 * r, row = outputColumn((s[0], s[1], s[2], s[3], s[4], s[5]))
                        let dst = y + (4 * ty + r) * w + 4 * tx
                        if 4 * (tx + Lane.scalarCount) <= w {
                            interleave(row, dst)
                            continue
                        }
                        for l in 0..<valid {
                            if 4 * (tx + l) < w { dst[4 * l] = row.0[l] }
                            if 4 * (tx + l) + 1 < w { dst[4 * l + 1] = row.1[l] }
                            if 4 * (tx + l) + 2 < w { dst[4 * l + 2] = row.2[l] }
                            if 4 * (tx + l) + 3 < w { dst[4 * l + 3] = row.3[l] }
                        }
                    }
            }
        }
    }

    /// Calls `body(first, valid, ty, tx)` for the tiles of a plane eight at a
    /// time in row-major order: tiles `first ..< first + valid`, the first of
    /// them at tile row `ty`, column `tx`. From eight tiles a row each call
    /// stays in one tile row (`tx + 8 <= tilesX` for the whole ones); on
    /// narrower planes each takes eight tiles across rows.
    @inline(__always)
    static func forEightTiles(tilesY: Int, tilesX: Int, _ body: (Int, Int, Int, Int) -> Void) {
        let tiles = tilesY * tilesX
        var first = 0
        while first < tiles {
            let (ty, tx) = first.quotientAndRemainder(dividingBy: tilesX)
            let valid = min(Lane.scalarCount, tilesX < Lane.scalarCount ? tiles - first : tilesX - tx)
            body(first, valid, ty, tx)
            first += valid
        }
    }

    // MARK: Lane helpers

    /// Eight floats from `runs` runs of `run` (2 or 4) floats `step` apart from
    /// `p`, the last run repeated to fill the lanes.
    @inline(__always)
    static func loadRuns(_ p: UnsafePointer<Float>, step: Int, run: Int, runs: Int) -> Lane {
        func at(_ g: Int) -> UnsafeRawPointer { UnsafeRawPointer(p + min(g, runs - 1) * step) }
        if run == 4 { return Lane(lowHalf: at(0).loadUnaligned(as: SIMD4<Float>.self), highHalf: at(1).loadUnaligned(as: SIMD4<Float>.self)) }
        func pair(_ g: Int) -> SIMD2<Float> { at(g).loadUnaligned(as: SIMD2<Float>.self) }
        return Lane(lowHalf: SIMD4(lowHalf: pair(0), highHalf: pair(1)), highHalf: SIMD4(lowHalf: pair(2), highHalf: pair(3)))
    }

    /// Thirty-two floats at `p` as four vectors, vector `q` holding `p[4l + q]`.
    @inline(__always)
    static func deinterleave(_ p: UnsafePointer<Float>) -> (Lane, Lane, Lane, Lane) {
        let ab = SIMD16(lowHalf: LaneMath.load(p), highHalf: LaneMath.load(p + 8)), cd = SIMD16(lowHalf: LaneMath.load(p + 16), highHalf: LaneMath.load(p + 24))
        let even = SIMD16(lowHalf: ab.evenHalf, highHalf: cd.evenHalf), odd = SIMD16(lowHalf: ab.oddHalf, highHalf: cd.oddHalf)
        return (even.evenHalf, odd.evenHalf, even.oddHalf, odd.oddHalf)
    }

    /// `deinterleave` undone: `p[4l + q] = v.q[l]` for thirty-two floats.
    @inline(__always)
    static func interleave(_ v: (Lane, Lane, Lane, Lane), _ p: UnsafeMutablePointer<Float>) {
        var even = SIMD16<Float>(), odd = SIMD16<Float>()
        even.evenHalf = v.0; even.oddHalf = v.2; odd.evenHalf = v.1; odd.oddHalf = v.3
        var low = SIMD16<Float>(), high = SIMD16<Float>()
        low.evenHalf = even.lowHalf; low.oddHalf = odd.lowHalf; high.evenHalf = even.highHalf; high.oddHalf = odd.highHalf
        LaneMath.store(low.lowHalf, p); LaneMath.store(low.highHalf, p + 8); LaneMath.store(high.lowHalf, p + 16); LaneMath.store(high.highHalf, p + 24)
    }

    /// Stores six vectors `stride` vectors apart.
    @inline(__always)
    static func put(_ x: (Lane, Lane, Lane, Lane, Lane, Lane), _ p: UnsafeMutablePointer<Lane>, stride: Int) {
        p[0] = x.0; p[stride] = x.1; p[2 * stride] = x.2; p[3 * stride] = x.3; p[4 * stride] = x.4; p[5 * stride] = x.5
    }

    /// Stores the first `valid` lanes of six vectors `stride` floats apart.
    @inline(__always)
    static func put(_ x: (Lane, Lane, Lane, Lane, Lane, Lane), _ p: UnsafeMutablePointer<Float>, stride: Int, valid: Int) {
        LaneMath.store(x.0, p, count: valid); LaneMath.store(x.1, p + stride, count: valid)
        LaneMath.store(x.2, p + 2 * stride, count: valid); LaneMath.store(x.3, p + 3 * stride, count: valid)
        LaneMath.store(x.4, p + 4 * stride, count: valid); LaneMath.store(x.5, p + 5 * stride, count: valid)
    }
}
