/// A 3x3, stride-1 convolution computed straight from a zero-padded input,
/// four output channels and up to 24 columns at a time in registers, with no
/// column matrix and no GEMM packing. OpenBLAS packs the whole input for every
/// call and then reuses each packed value only once per output channel, so
/// with few output channels (a U-Net decoder's last blocks) packing dominates;
/// here each input vector is loaded once per four output channels.
/// Call it only on CPUs with `KernelRequirements.cpuFlags`.
public enum DirectConv3x3 {
    public typealias Lanes = SIMD8<Float>

    /// Output channels computed together.
    public static let channelBlock = 4

    /// Columns the output rows are computed in: `width` rounded up to whole vectors.
    public static func paddedColumns(_ width: Int) -> Int { (width + 7) / 8 * 8 }

    /// Weights `[o, c, 3, 3]` regrouped as `[o / 4 (rounded up), c, 3, 3, 4]`,
    /// missing output channels zero.
    public static func packWeights(_ weight: UnsafePointer<Float>, outChannels o: Int, inChannels c: Int) -> [Float] {
        let blocks = (o + channelBlock - 1) / channelBlock
        var packed = [Float](repeating: 0, count: blocks * c * 9 * channelBlock)
        for oc in 0..<o {
            let (b, k) = oc.quotientAndRemainder(dividingBy: channelBlock)
            for i in 0..<(c * 9) { packed[(b * c * 9 + i) * channelBlock + k] = weight[oc * c * 9 + i] }
        }
        return packed
    }

    /// Output row `y` of every output channel block, without bias:
    /// `out[oc * columns + x]` for `oc` in `0..<4 * blocks`, `x` in `0..<columns`.
    /// `input` holds `channels` planes of `planeStride` floats, each with rows of
    /// `rowStride >= columns + 2` floats, the image at row 1, column 1 and zeros
    /// around it (and in every column the output reads past the image).
    /// `columns` is a multiple of 8.
    public static func row(_ y: Int, input: UnsafePointer<Float>, channels: Int, planeStride: Int, rowStride: Int,
                           weights: UnsafePointer<Float>, blocks: Int, columns: Int, out: UnsafeMutablePointer<Float>) {
        precondition(columns % 8 == 0 && rowStride >= columns + 2)
        // Column blocks outermost: the input a column block reads stays in L1
        // while every block of output channels uses it.
        forEachColumnBlock(columns) { x, width in
            for b in 0..<blocks {
                let top = input + y * rowStride + x, w = weights + b * channels * 9 * channelBlock, o = out + b * channelBlock * columns + x
                switch width {
                case 24: convolve(Columns24.self, top, channels, planeStride, rowStride, w, o, columns)
                case 16: convolve(Columns16.self, top, channels, planeStride, rowStride, w, o, columns)
                default: convolve(Columns8.self, top, channels, planeStride, rowStride, w, o, columns)
                }
            }
        }
    }

    /// `out[oc * columns + x] = sum over ci of weights[b][ci][k] * a[ci * rowStride + x]`
    /// for `oc = 4 b + k`, `b` in `0..<blocks`, `x` in `0..<columns` (a multiple of 8):
    /// the product of packed weights `[blocks][channels][4]` and a `[channels, columns]`
    /// matrix, the direct kernel with one tap. Winograd's 16 products per tile run through it.
    public static func multiply(_ a: UnsafePointer<Float>, channels: Int, rowStride: Int,
                                weights: UnsafePointer<Float>, blocks: Int, columns: Int, out: UnsafeMutablePointer<Float>) {
        precondition(columns % 8 == 0 && rowStride >= columns)
        forEachColumnBlock(columns) { x, width in
            for b in 0..<blocks {
                let w = weights + b * channels * channelBlock, o = out + b * channelBlock * columns + x
                switch width {
                case 24: multiply(Columns24.self, a + x, channels, rowStride, w, o, columns)
                case 16: multiply(Columns16.self, a + x, channels, rowStride, w, o, columns)
                default: multiply(Columns8.self, a + x, channels, rowStride, w, o, columns)
                }
            }
        }
    }

    /// `out[k * columns + x] = sum over segments (i, w), ci in 0..<channels of
    /// weights[w + k * laneStride + ci * channelStride] * a[i + ci * rowStride + x]`
    /// for `k` in `0..<4`, `x` in `0..<columns` (a multiple of 8): `multiply` for one
    /// block of four output channels whose weights are read where they lie (a
    /// convolution's own weight or output-gradient tensor, strided) instead of
    /// packed, over segments of `channels` input rows, each with its own input
    /// and weight offsets.
    public static func multiplyStrided(_ a: UnsafePointer<Float>, channels: Int, rowStride: Int, weights: UnsafePointer<Float>,
                                       segments: [(input: Int, weight: Int)], laneStride: Int, channelStride: Int, columns: Int,
                                       out: UnsafeMutablePointer<Float>) {
        precondition(columns % 8 == 0 && rowStride >= columns)
        segments.withUnsafeBufferPointer { segments in
            forEachColumnBlock(columns) { x, width in
                let strides = (channels, rowStride, laneStride, channelStride)
                switch width {
                case 24: multiplyStrided(Columns24.self, a + x, strides, weights, segments, out + x, columns)
                case 16: multiplyStrided(Columns16.self, a + x, strides, weights, segments, out + x, columns)
                default: multiplyStrided(Columns8.self, a + x, strides, weights, segments, out + x, columns)
                }
            }
        }
    }

    /// Calls `body(x, width)` over `columns`: widths of 24, the rest as 16s (a
    /// rest of 8 after a 24 becomes 16 + 16) or a single 8.
    @inline(__always)
    private static func forEachColumnBlock(_ columns: Int, _ body: (Int, Int) -> Void) {
        let vectors = columns / 8, sixteens = vectors % 3 == 2 ? 1 : vectors % 3 == 1 && vectors > 1 ? 2 : 0
        let twentyFours = (vectors - 2 * sixteens) / 3
        var x = 0
        while x < columns {
            let width = x < 24 * twentyFours ? 24 : sixteens > 0 ? 16 : 8
            body(x, width)
            x += width
        }
    }

    /// Four output channels of one column block over the 3x3 taps of every input plane.
    @inline(__always)
    private static func convolve<A: ColumnAccumulators>(_: A.Type, _ top: UnsafePointer<Float>, _ channels: Int, _ planeStride: Int,
                                                        _ rowStride: Int, _ weights: UnsafePointer<Float>,
                                                        _ out: UnsafeMutablePointer<Float>, _ columns: Int) {
        var acc = A(), w = weights
        for ci in 0..<channels {
            let plane = top + ci * planeStride
            for ky in 0..<3 {
                let r = plane + ky * rowStride
                for kx in 0..<3 { acc.add(r + kx, w); w += channelBlock }
            }
        }
        acc.store(out, columns)
    }

    /// Four output channels of one column block of `multiply`: the loop over
    /// channels alone, so the accumulators stay in registers.
    @inline(__always)
    private static func multiply<A: ColumnAccumulators>(_: A.Type, _ a: UnsafePointer<Float>, _ channels: Int, _ rowStride: Int,
                                                        _ weights: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ columns: Int) {
        var acc = A(), r = a, w = weights
        for _ in 0..<channels { acc.add(r, w); r += rowStride; w += channelBlock }
        acc.store(out, columns)
    }

    /// One column block of `multiplyStrided`.
    @inline(__always)
    private static func multiplyStrided<A: ColumnAccumulators>(_: A.Type, _ a: UnsafePointer<Float>,
                                                               _ strides: (channels: Int, row: Int, lane: Int, channel: Int),
                                                               _ weights: UnsafePointer<Float>,
                                                               _ segments: UnsafeBufferPointer<(input: Int, weight: Int)>,
                                                               _ out: UnsafeMutablePointer<Float>, _ columns: Int) {
        var acc = A()
        let lane = strides.lane
        for segment in segments {
            var r = a + segment.input, w = weights + segment.weight
            for _ in 0..<strides.channels {
                acc.add(r, w[0], w[lane], w[2 * lane], w[3 * lane])
                r += strides.row; w += strides.channel
            }
        }
        acc.store(out, columns)
    }
}

/// Four output channels x some columns of sums in registers.
private protocol ColumnAccumulators {
    init()
    /// Adds the columns at `input` times each of the four weights.
    mutating func add(_ input: UnsafePointer<Float>, _ w0: Float, _ w1: Float, _ w2: Float, _ w3: Float)
    /// Stores channel `k`'s sums at `out + k * columns`.
    func store(_ out: UnsafeMutablePointer<Float>, _ columns: Int)
}

extension ColumnAccumulators {
    /// Adds the columns at `input` times each of the four weights at `w`.
    @inline(__always) mutating func add(_ input: UnsafePointer<Float>, _ w: UnsafePointer<Float>) { add(input, w[0], w[1], w[2], w[3]) }
}

/// 24 columns: twelve accumulators.
private struct Columns24: ColumnAccumulators {
    typealias Lanes = DirectConv3x3.Lanes
    var a00 = Lanes(), a01 = Lanes(), a02 = Lanes(), a10 = Lanes(), a11 = Lanes(), a12 = Lanes()
    var a20 = Lanes(), a21 = Lanes(), a22 = Lanes(), a30 = Lanes(), a31 = Lanes(), a32 = Lanes()

    @inline(__always) mutating func add(_ input: UnsafePointer<Float>, _ w0: Float, _ w1: Float, _ w2: Float, _ w3: Float) {
        let i0 = LaneMath.load(input), i1 = LaneMath.load(input + 8), i2 = LaneMath.load(input + 16)
        var wv = Lanes(repeating: w0)
        a00 = a00.addingProduct(i0, wv); a01 = a01.addingProduct(i1, wv); a02 = a02.addingProduct(i2, wv)
        wv = Lanes(repeating: w1)
        a10 = a10.addingProduct(i0, wv); a11 = a11.addingProduct(i1, wv); a12 = a12.addingProduct(i2, wv)
        wv = Lanes(repeating: w2)
        a20 = a20.addingProduct(i0, wv); a21 = a21.addingProduct(i1, wv); a22 = a22.addingProduct(i2, wv)
        wv = Lanes(repeating: w3)
        a30 = a30.addingProduct(i0, wv); a31 = a31.addingProduct(i1, wv); a32 = a32.addingProduct(i2, wv)
    }

    @inline(__always) func store(_ out: UnsafeMutablePointer<Float>, _ columns: Int) {
        LaneMath.store(a00, out); LaneMath.store(a01, out + 8); LaneMath.store(a02, out + 16)
        LaneMath.store(a10, out + columns); LaneMath.store(a11, out + columns + 8); LaneMath.store(a12, out + columns + 16)
        LaneMath.store(a20, out + 2 * columns); LaneMath.store(a21, out + 2 * columns + 8); LaneMath.store(a22, out + 2 * columns + 16)
        LaneMath.store(a30, out + 3 * columns); LaneMath.store(a31, out + 3 * columns + 8); LaneMath.store(a32, out + 3 * columns + 16)
    }
}

/// 16 columns: eight accumulators.
private struct Columns16: ColumnAccumulators {
    typealias Lanes = DirectConv3x3.Lanes
    var a00 = Lanes(), a01 = Lanes(), a10 = Lanes(), a11 = Lanes(), a20 = Lanes(), a21 = Lanes(), a30 = Lanes(), a31 = Lanes()

    @inline(__always) mutating func add(_ input: UnsafePointer<Float>, _ w0: Float, _ w1: Float, _ w2: Float, _ w3: Float) {
        let i0 = LaneMath.load(input), i1 = LaneMath.load(input + 8)
        var wv = Lanes(repeating: w0)
        a00 = a00.addingProduct(i0, wv); a01 = a01.addingProduct(i1, wv)
        wv = Lanes(repeating: w1)
        a10 = a10.addingProduct(i0, wv); a11 = a11.addingProduct(i1, wv)
        wv = Lanes(repeating: w2)
        a20 = a20.addingProduct(i0, wv); a21 = a21.addingProduct(i1, wv)
        wv = Lanes(repeating: w3)
        a30 = a30.addingProduct(i0, wv); a31 = a31.addingProduct(i1, wv)
    }

    @inline(__always) func store(_ out: UnsafeMutablePointer<Float>, _ columns: Int) {
        LaneMath.store(a00, out); LaneMath.store(a01, out + 8)
        LaneMath.store(a10, out + columns); LaneMath.store(a11, out + columns + 8)
        LaneMath.store(a20, out + 2 * columns); LaneMath.store(a21, out + 2 * columns + 8)
        LaneMath.store(a30, out + 3 * columns); LaneMath.store(a31, out + 3 * columns + 8)
    }
}

/// 8 columns, for planes a single vector wide.
private struct Columns8: ColumnAccumulators {
    typealias Lanes = DirectConv3x3.Lanes
    var a0 = Lanes(), a1 = Lanes(), a2 = Lanes(), a3 = Lanes()

    @inline(__always) mutating func add(_ input: UnsafePointer<Float>, _ w0: Float, _ w1: Float, _ w2: Float, _ w3: Float) {
        let i0 = LaneMath.load(input)
        a0 = a0.addingProduct(i0, Lanes(repeating: w0)); a1 = a1.addingProduct(i0, Lanes(repeating: w1))
        a2 = a2.addingProduct(i0, Lanes(repeating: w2)); a3 = a3.addingProduct(i0, Lanes(repeating: w3))
    }

    @inline(__always) func store(_ out: UnsafeMutablePointer<Float>, _ columns: Int) {
        LaneMath.store(a0, out); LaneMath.store(a1, out + columns); LaneMath.store(a2, out + 2 * columns); LaneMath.store(a3, out + 3 * columns)
    }
}
