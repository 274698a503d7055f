/// Winograd F(2x2, 3x3) convolution of one image a few tile rows at a time
/// (AVX2 + FMA build): a block's input tiles are transformed for every input
/// channel, multiplied with the packed transformed filters by
/// `DirectConv3x3.multiply` (16 products, no GEMM packing), and transformed
/// back, so the block's tile matrices stay in L2 instead of going through
/// memory. Call it only on CPUs with `KernelRequirements.cpuFlags`.
public enum WinogradBlocked {
    /// Transformed filters `u` (`WinogradTransforms.filters`' layout, `[16][o][c]`
    /// for `o` output and `c` input channels, `matrixStride` floats per element) regrouped for `DirectConv3x3.multiply`
    /// as `[16][blocks][inChannels][4]`, missing output channels zero. With
    /// `transposed`, the filters are those of the convolution that runs the
    /// one of `u` backwards (its input gradient): `inChannels` is `o`,
    /// `outChannels` is `c`, each filter transposed and turned half round.
    public static func packFilters(_ u: UnsafePointer<Float>, matrixStride: Int, inChannels: Int, outChannels: Int,
                                   transposed: Bool) -> [Float] {
        let block = DirectConv3x3.channelBlock, blocks = (outChannels + block - 1) / block
        var packed = [Float](repeating: 0, count: 16 * blocks * inChannels * block)
        packed.withUnsafeMutableBufferPointer { pb in
            let pp = pb.baseAddress!
            for p in 0..<16 {
                let source = u + (transposed ? WinogradTransforms.turned(p) : p) * matrixStride
                for oc in 0..<outChannels {
                    let (b, k) = oc.quotientAndRemainder(dividingBy: block)
                    let dst = pp + ((p * blocks + b) * inChannels) * block + k
                    if transposed {
                        for ci in 0..<inChannels { dst[ci * block] = source[ci * outChannels + oc] }
                    } else {
                        for ci in 0..<inChannels { dst[ci * block] = source[oc * inChannels + ci] }
                    }
                }
            }
        }
        return packed
    }

    /// Floats of scratch `convolve` needs for `tileRows` rows of tiles.
    public static func scratchSize(inChannels: Int, outChannels: Int, w: Int, tileRows: Int) -> Int {
        let tilesX = (w + 1) / 2, columns = paddedColumns(tileRows * tilesX)
        let blocks = (outChannels + DirectConv3x3.channelBlock - 1) / DirectConv3x3.channelBlock
        return WinogradTransforms.splitPlaneSize(tilesY: tileRows, tilesX: tilesX)
            + 16 * (ScratchStride.padded(inChannels * columns) + ScratchStride.padded(blocks * DirectConv3x3.channelBlock * columns))
            + WinogradTransforms.Lane.scalarCount
    }

    /// Rows `2 * tileRows.lowerBound ..< min(h, 2 * tileRows.upperBound)` of the
    /// `outChannels` output planes (`h x w`, written at `y`, plane after plane) of
    /// one image's 3x3, stride-1, padding-1 convolution, without bias.
    /// `row(channel, iy)` gives the `w` floats of input row `iy` of input plane
    /// `channel` (`0..<inChannels`); `filters` are `packFilters`' output;
    /// `scratch` holds `scratchSize` floats.
    public static func convolve(inChannels c: Int, h: Int, w: Int, row: (Int, Int) -> UnsafePointer<Float>,
                                filters: UnsafePointer<Float>, outChannels o: Int, tileRows: Range<Int>,
                                scratch: UnsafeMutablePointer<Float>, _ y: UnsafeMutablePointer<Float>) {
        let tilesX = (w + 1) / 2, rows = tileRows.count, tiles = rows * tilesX, columns = paddedColumns(tiles)
        let blocks = (o + DirectConv3x3.channelBlock - 1) / DirectConv3x3.channelBlock, outRows = blocks * DirectConv3x3.channelBlock
        let vStride = ScratchStride.padded(c * columns), mStride = ScratchStride.padded(outRows * columns)
        let split = scratch, v = split + WinogradTransforms.splitPlaneSize(tilesY: rows, tilesX: tilesX), m = v + 16 * vStride
        // Row r of the split plane holds image row first + r (r in 0..<2 rows + 2); rows outside the image are zeros.
        let first = 2 * tileRows.lowerBound - 1, rowStride = 2 * tilesX + 2
        for r in 0..<(2 * rows + 2) where first + r < 0 || first + r >= h {
            (split + r * rowStride).update(repeating: 0, count: rowStride)
        }
        // Columns past the last tile feed only outputs nobody reads, but must be numbers.
        if columns > tiles {
            for p in 0..<16 { for ci in 0..<c { (v + p * vStride + ci * columns + tiles).update(repeating: 0, count: columns - tiles) } }
        }
        for ci in 0..<c {
            for r in 0..<(2 * rows + 2) where first + r >= 0 && first + r < h {
                WinogradTransforms.splitRow(row(ci, first + r), w: w, tilesX: tilesX, iy: r - 1, split)
            }
            WinogradTransforms.inputTiles(split, tilesY: rows, tilesX: tilesX, v + ci * columns, matrixStride: vStride)
        }
        for p in 0..<16 {
            DirectConv3x3.multiply(v + p * vStride, channels: c, rowStride: columns, weights: filters + p * blocks * c * DirectConv3x3.channelBlock,
                                   blocks: blocks, columns: columns, out: m + p * mStride)
        }
        let y0 = 2 * tileRows.lowerBound, outHeight = min(h, 2 * tileRows.upperBound) - y0
        for oc in 0..<o {
            WinogradTransforms.outputTiles(m + oc * columns, matrixStride: mStride, h: outHeight, w: w, y + (oc * h + y0) * w)
        }
    }

    /// Tile columns rounded up to whole vectors.
    private static func paddedColumns(_ tiles: Int) -> Int { (tiles + 7) / 8 * 8 }
}
