/// The transforms of Winograd's minimal filtering algorithm F(2x2, 3x3)
/// (Lavin & Gray, "Fast Algorithms for Convolutional Neural Networks", 2016):
/// a 2x2 output tile of a 3x3 convolution is `A^T [(G g G^T) ⊙ (B^T d B)] A`
/// for the 4x4 input tile `d` and filter `g`, 16 multiplications instead of 36.
///
///     B^T = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1]
///     G   = [1 0 0; ½ ½ ½; ½ -½ ½; 0 0 1]
///     A^T = [1 1 1 0; 0 1 -1 -1]
///
/// Transformed tiles are stored as 16 matrices, element `p = 4 * row + column`
/// of a tile in matrix `p`, so the elementwise products over channels become
/// 16 GEMMs. Gradients run the same algebra backwards: for `Y = A^T Z A`,
/// `dZ = A dY A^T`, and for `U = G g G^T`, `dg = G^T dU G`.
///
/// The functions are inlinable: NeuralNet's portable paths inline them (built
/// for any x86-64), this module's `WinogradBlocked` calls its AVX2 build.
public enum WinogradTransforms {
    /// `U = G g G^T` for filters `range` of the 3x3 filters at `g` (9 floats
    /// apart), element `p` of filter `f` written to `u[p * matrixStride + f]`. Eight
    /// filters at a time.
    @inlinable @inline(__always)
    public static func filters(_ g: UnsafePointer<Float>, _ range: Range<Int>, matrixStride: Int, _ u: UnsafeMutablePointer<Float>) {
        forEightFilters(range) { f, valid, t in
            // Element k of the eight filters as one lane vector.
            for l in 0..<valid { for k in 0..<9 { t[k * Lane.scalarCount + l] = g[9 * (f + l) + k] } }
            func w(_ k: Int) -> Lane { LaneMath.load(t + k * Lane.scalarCount) }
            // Rows of G g (4x3); each row r of (G g) G^T is (r0, ½(r0 + r1 + r2), ½(r0 - r1 + r2), r2).
            let r0 = (w(0), w(1), w(2)), r1 = (w(3), w(4), w(5)), r2 = (w(6), w(7), w(8))
            @inline(__always) func put(_ r: (Lane, Lane, Lane), _ i: Int) {
                LaneMath.store(r.0, u + (4 * i) * matrixStride + f, count: valid)
                LaneMath.store(0.5 * (r.0 + r.1 + r.2), u + (4 * i + 1) * matrixStride + f, count: valid)
                LaneMath.store(0.5 * (r.0 - r.1 + r.2), u + (4 * i + 2) * matrixStride + f, count: valid)
                LaneMath.store(r.2, u + (4 * i + 3) * matrixStride + f, count: valid)
            }
            put(r0, 0)
            put((0.5 * (r0.0 + r1.0 + r2.0), 0.5 * (r0.1 + r1.1 + r2.1), 0.5 * (r0.2 + r1.2 + r2.2)), 1)
            put((0.5 * (r0.0 - r1.0 + r2.0), 0.5 * (r0.1 - r1.1 + r2.1), 0.5 * (r0.2 - r1.2 + r2.2)), 2)
            put(r2, 3)
        }
    }

    /// `dg = G^T dU G`: the gradients of filters `range` from
    /// transformed ones laid out as `filters` writes them (`du[p * matrixStride + f]`),
    /// written 9 floats apart at `dg`. Eight filters at a time; reads up to
    /// seven floats past the last.
    @inlinable @inline(__always)
    public static func filterGradients(_ du: UnsafePointer<Float>, _ range: Range<Int>, matrixStride: Int, _ dg: UnsafeMutablePointer<Float>) {
        forEightFilters(range) { f, valid, t in
            func row(_ i: Int) -> (Lane, Lane, Lane, Lane) {
                (LaneMath.load(du + (4 * i) * matrixStride + f), LaneMath.load(du + (4 * i + 1) * matrixStride + f),
                 LaneMath.load(du + (4 * i + 2) * matrixStride + f), LaneMath.load(du + (4 * i + 3) * matrixStride + f))
            }
            let u0 = row(0), u1 = row(1), u2 = row(2), u3 = row(3)
            // Rows of G^T dU (3x4); each row r of (G^T dU) G is (r0 + ½(r1 + r2), ½(r1 - r2), ½(r1 + r2) + r3).
            @inline(__always) func put(_ r: (Lane, Lane, Lane, Lane), _ i: Int) {
                LaneMath.store(r.0 + 0.5 * (r.1 + r.2), t + (3 * i) * Lane.scalarCount)
                LaneMath.store(0.5 * (r.1 - r.2), t + (3 * i + 1) * Lane.scalarCount)
                LaneMath.store(0.5 * (r.1 + r.2) + r.3, t + (3 * i + 2) * Lane.scalarCount)
            }
            put((u0.0 + 0.5 * (u1.0 + u2.0), u0.1 + 0.5 * (u1.1 + u2.1), u0.2 + 0.5 * (u1.2 + u2.2), u0.3 + 0.5 * (u1.3 + u2.3)), 0)
            put((0.5 * (u1.0 - u2.0), 0.5 * (u1.1 - u2.1), 0.5 * (u1.2 - u2.2), 0.5 * (u1.3 - u2.3)), 1)
            put((0.5 * (u1.0 + u2.0) + u3.0, 0.5 * (u1.1 + u2.1) + u3.1, 0.5 * (u1.2 + u2.2) + u3.2, 0.5 * (u1.3 + u2.3) + u3.3), 2)
            for l in 0..<valid { for k in 0..<9 { dg[9 * (f + l) + k] = t[k * Lane.scalarCount + l] } }
        }
    }

    /// Calls `body(first, valid, columns)` for filters `range` eight at a time
    /// (`valid` of them in the last step), with one scratch of nine lane
    /// vectors for moving filter elements between filter-major and lane order.
    @inlinable @inline(__always)
    static func forEightFilters(_ range: Range<Int>, _ body: (Int, Int, UnsafeMutablePointer<Float>) -> Void) {
        withUnsafeTemporaryAllocation(of: Float.self, capacity: 9 * Lane.scalarCount) { columns in
            for f in stride(from: range.lowerBound, to: range.upperBound, by: Lane.scalarCount) {
                body(f, min(Lane.scalarCount, range.upperBound - f), columns.baseAddress!)
            }
        }
    }

    /// Element `p` of a transformed filter of the convolution with each filter
    /// turned half round is element `turned(p)` of the filter's own: `G J = P G`
    /// for the column reversal `J` and the swap `P` of rows 0 and 3.
    @inlinable @inline(__always)
    public static func turned(_ p: Int) -> Int {
        func swap(_ i: Int) -> Int { i == 0 ? 3 : i == 3 ? 0 : i }
        return 4 * swap(p / 4) + swap(p % 4)
    }

    /// Floats of the split padded plane `inputTiles` reads, for `tilesY x tilesX` tiles.
    @inlinable @inline(__always)
    public static func splitPlaneSize(tilesY: Int, tilesX: Int) -> Int { (2 * tilesY + 2) * (2 * tilesX + 2) + Lane.scalarCount }

    /// Writes row `iy` of an `h x w` plane (`row`, `w` floats) into the split padded
    /// plane `split`: padded row `iy + 1` (zero padding 1 around the plane) as its
    /// even columns, then its odd ones, `tilesX + 1` each. The caller zeroes
    /// padded rows 0 and past `h` once.
    @inlinable @inline(__always)
    public static func splitRow(_ row: UnsafePointer<Float>, w: Int, tilesX: Int, iy: Int, _ split: UnsafeMutablePointer<Float>) {
        let half = tilesX + 1, even = split + (iy + 1) * 2 * half, odd = even + half
        // Padded column j holds row[j - 1]: even column 2k is row[2k - 1], odd column 2k + 1 is row[2k].
        even[0] = 0; even[tilesX] = 0; odd[tilesX] = 0
        var k = 0
        while k + Lane.scalarCount <= w / 2 {
            // Sixteen columns of the row, split in registers (constant lanes become shuffles).
            let a = LaneMath.load(row + 2 * k), b = LaneMath.load(row + 2 * k + Lane.scalarCount)
            var rowEven = Lane(), rowOdd = Lane()
            for l in 0..<4 {
                rowEven[l] = a[2 * l]; rowOdd[l] = a[2 * l + 1]
                rowEven[l + 4] = b[2 * l]; rowOdd[l + 4] = b[2 * l + 1]
            }
            LaneMath.store(rowEven, odd + k); LaneMath.store(rowOdd, even + k + 1)
            k += Lane.scalarCount
        }
        for k in k..<(w / 2) { odd[k] = row[2 * k]; even[k + 1] = row[2 * k + 1] }
        if w % 2 == 1 { odd[w / 2] = row[w - 1] }
    }

    /// `B^T d B` of every 4x4 tile of a split padded plane (`splitRow`): tile
    /// `(ty, tx)` covers padded rows `2 ty ..< 2 ty + 4`, columns `2 tx ..< 2 tx + 4`,
    /// and its element `p` goes to `v[p * matrixStride + ty * tilesX + tx]`.
    /// Eight tiles of a row at a time.
    @inlinable @inline(__always)
    public static func inputTiles(_ split: UnsafePointer<Float>, tilesY: Int, tilesX: Int,
                                  _ v: UnsafeMutablePointer<Float>, matrixStride: Int) {
        let half = tilesX + 1, rowStride = 2 * half
        for ty in 0..<tilesY {
            for tx in stride(from: 0, to: tilesX, by: Lane.scalarCount) {
                let valid = min(Lane.scalarCount, tilesX - tx)
                // Columns 0...3 of padded row r for eight tiles: even[tx], odd[tx], even[tx + 1], odd[tx + 1].
                func columns(_ r: Int) -> (Lane, Lane, Lane, Lane) {
                    let even = split + (2 * ty + r) * rowStride + tx, odd = even + half
                    return (LaneMath.load(even), LaneMath.load(odd), LaneMath.load(even + 1), LaneMath.load(odd + 1))
                }
                let d0 = columns(0), d1 = columns(1), d2 = columns(2), d3 = columns(3)
                let out = v + ty * tilesX + tx
                // Row i of B^T d, column by column; times B it gives elements 4i ..< 4i + 4.
                @inline(__always) func put(_ c: (Lane, Lane, Lane, Lane), _ i: Int) {
                    LaneMath.store(c.0 - c.2, out + (4 * i) * matrixStride, count: valid)
                    LaneMath.store(c.1 + c.2, out + (4 * i + 1) * matrixStride, count: valid)
                    LaneMath.store(c.2 - c.1, out + (4 * i + 2) * matrixStride, count: valid)
                    LaneMath.store(c.1 - c.3, out + (4 * i + 3) * matrixStride, count: valid)
                }
                put((d0.0 - d2.0, d0.1 - d2.1, d0.2 - d2.2, d0.3 - d2.3), 0)
                put((d1.0 + d2.0, d1.1 + d2.1, d1.2 + d2.2, d1.3 + d2.3), 1)
                put((d2.0 - d1.0, d2.1 - d1.1, d2.2 - d1.2, d2.3 - d1.3), 2)
                put((d1.0 - d3.0, d1.1 - d3.1, d1.2 - d3.2, d1.3 - d3.3), 3)
            }
        }
    }

    /// `inputTiles` of `planes` consecutive `h x w` planes at `x`, plane `k`'s
    /// tiles at `v + k * planeStride`, through the split padded plane `split`
    /// (`splitPlaneSize` floats) whose rows outside the image this zeroes.
    @inlinable @inline(__always)
    public static func planeInputTiles(_ x: UnsafePointer<Float>, planes: Int, h: Int, w: Int, _ split: UnsafeMutablePointer<Float>,
                                       _ v: UnsafeMutablePointer<Float>, planeStride: Int, matrixStride: Int) {
        let tilesY = (h + 1) / 2, tilesX = (w + 1) / 2, rowStride = 2 * tilesX + 2
        split.update(repeating: 0, count: rowStride)
        (split + (h + 1) * rowStride).update(repeating: 0, count: (2 * tilesY + 1 - h) * rowStride)
        for k in 0..<planes {
            for iy in 0..<h { splitRow(x + (k * h + iy) * w, w: w, tilesX: tilesX, iy: iy, split) }
            inputTiles(split, tilesY: tilesY, tilesX: tilesX, v + k * planeStride, matrixStride: matrixStride)
        }
    }

    /// `A dY A^T` of every 2x2 tile of an `h x w` output-gradient plane (zeros
    /// past an odd edge), element `p` of tile `(ty, tx)` to `v[p * matrixStride + ty * tilesX + tx]`.
    @inlinable @inline(__always)
    public static func outputGradientTiles(_ gy: UnsafePointer<Float>, h: Int, w: Int,
                                           _ v: UnsafeMutablePointer<Float>, matrixStride: Int) {
        let tilesY = (h + 1) / 2, tilesX = (w + 1) / 2
        for ty in 0..<tilesY {
            let y0 = 2 * ty, hasY1 = y0 + 1 < h
            for tx in stride(from: 0, to: tilesX, by: Lane.scalarCount) {
                let valid = min(Lane.scalarCount, tilesX - tx)
                // dY's rows (a, b), each as its even and odd columns.
                var a = (Lane(), Lane()), b = (Lane(), Lane())
                for l in 0..<valid {
                    let x0 = 2 * (tx + l), top = gy + y0 * w + x0, hasX1 = x0 + 1 < w
                    a.0[l] = top[0]; a.1[l] = hasX1 ? top[1] : 0
                    if hasY1 { b.0[l] = top[w]; b.1[l] = hasX1 ? top[w + 1] : 0 }
                }
                // Rows of A dY: a, a + b, a - b, -b; each row r becomes (r0, r0 + r1, r0 - r1, -r1).
                let out = v + ty * tilesX + tx
                @inline(__always) func put(_ r0: Lane, _ r1: Lane, _ i: Int) {
                    LaneMath.store(r0, out + (4 * i) * matrixStride, count: valid)
                    LaneMath.store(r0 + r1, out + (4 * i + 1) * matrixStride, count: valid)
                    LaneMath.store(r0 - r1, out + (4 * i + 2) * matrixStride, count: valid)
                    LaneMath.store(-r1, out + (4 * i + 3) * matrixStride, count: valid)
                }
                put(a.0, a.1, 0); put(a.0 + b.0, a.1 + b.1, 1); put(a.0 - b.0, a.1 - b.1, 2); put(-b.0, -b.1, 3)
            }
        }
    }

    /// `A^T M A` of every tile of one output plane `h x w`: element `p` of tile
    /// `(ty, tx)` read from `m[p * matrixStride + ty * tilesX + tx]`. Reads up
    /// to `Lane.scalarCount - 1` floats past the last tile of matrix 15.
    @inlinable @inline(__always)
    public static func outputTiles(_ m: UnsafePointer<Float>, matrixStride: Int, h: Int, w: Int, _ y: UnsafeMutablePointer<Float>) {
        let tilesY = (h + 1) / 2, tilesX = (w + 1) / 2
        for ty in 0..<tilesY {
            let y0 = 2 * ty, hasY1 = y0 + 1 < h
            for tx in stride(from: 0, to: tilesX, by: Lane.scalarCount) {
                let valid = min(Lane.scalarCount, tilesX - tx), src = m + ty * tilesX + tx
                func element(_ p: Int) -> Lane { LaneMath.load(src + p * matrixStride) }
                // Rows 0 and 1 of A^T M, column by column, then times A.
                let s0 = (element(0) + element(4) + element(8), element(1) + element(5) + element(9),
                          element(2) + element(6) + element(10), element(3) + element(7) + element(11))
                let s1 = (element(4) - element(8) - element(12), element(5) - element(9) - element(13),
                          element(6) - element(10) - element(14), element(7) - element(11) - element(15))
                @inline(__always) func put(_ s: (Lane, Lane, Lane, Lane), row: Int) {
                    let even = s.0 + s.1 + s.2, odd = s.1 - s.2 - s.3, dst = y + row * w + 2 * tx
                    if 2 * (tx + Lane.scalarCount) <= w {
                        // Eight whole tiles: interleave the columns in registers (constant lanes become shuffles).
                        var low = Lane(), high = Lane()
                        for l in 0..<4 {
                            low[2 * l] = even[l]; low[2 * l + 1] = odd[l]
                            high[2 * l] = even[l + 4]; high[2 * l + 1] = odd[l + 4]
                        }
                        LaneMath.store(low, dst); LaneMath.store(high, dst + Lane.scalarCount)
                        return
                    }
                    for l in 0..<valid {
                        dst[2 * l] = even[l]
                        if 2 * (tx + l) + 1 < w { dst[2 * l + 1] = odd[l] }
                    }
                }
                put(s0, row: y0)
                if hasY1 { put(s1, row: y0 + 1) }
            }
        }
    }

    public typealias Lane = SIMD8<Float>
}

