import NeuralNetKernels

/// 3x3 "same" convolutions over planes of at most 2x2 pixels (U-Net-resnet18's
/// last stage at 64² tiles). There every output pixel sees every input pixel
/// through its own tap, so the convolution is one dense product
/// `[h w o, h w c] x [h w c, images]`: 16 multiply-adds per channel pair on a
/// 2x2 plane, where im2col does 36 (five of its nine taps fall on padding)
/// and Winograd's 16 run as sixteen GEMMs that each pack their share of the
/// filters again. `DirectConv3x3.multiplyStrided` reads each output block's
/// taps from the weight tensor where they lie, so nothing is packed or
/// derived from the weight: training and eval mode take the same path. The
/// input gradient is the transposed product (the same taps, read along the
/// other axis); the weight gradient sums, per tap, the products of the
/// output-gradient and input pixel pairs that tap joins (16 pairs over the
/// nine taps on a 2x2 plane, where im2col's columns hold 36).
extension ConvPlan {
    /// True when the dense product computes this convolution: a Winograd
    /// shape (3x3, stride 1, padding 1, one group) on a plane of at most 2x2.
    var densePlaneApplies: Bool { winogradApplies && geo.h <= 2 && geo.w <= 2 }

    /// True when the forward and both gradients run as the dense product: it
    /// applies, both channel counts fill whole blocks of four (each block
    /// reads one tap per pixel pair for its four channels) and the CPU has the kernels.
    var usesDensePlane: Bool {
        let block = DirectConv3x3.channelBlock
        return densePlaneApplies && c % block == 0 && o % block == 0 && KernelSupport.available
    }

    /// Pixels of the plane (input and output alike).
    private var densePixels: Int { geo.h * geo.w }

    /// The weight tap output pixel `q` reads input pixel `p` through.
    private func denseTap(_ q: Int, _ p: Int) -> Int { (p / geo.w - q / geo.w + 1) * 3 + (p % geo.w - q % geo.w + 1) }

    /// `conv(x)`, bias and epilogue applied.
    func denseForwardBatch(x: Tensor, weight: Tensor, bias: Tensor?, epilogue: ConvEpilogue) -> Tensor {
        var y = denseProduct(x, weight: weight, transposed: false, bias: bias)
        if !epilogue.isNone { y.withUnsafeMutableBufferPointer { epilogue.apply($0.baseAddress!, offset: 0, count: $0.count) } }
        return y
    }

    /// d/dx: the product with the dense weight transposed.
    func denseInputGradient(gy: Tensor, weight: Tensor) -> Tensor { denseProduct(gy, weight: weight, transposed: true, bias: nil) }

    /// d/d(weight): for each block of four output channels, tap `t`'s
    /// `[4, c]` gradient is the sum over the pixel pairs (q, p) that tap joins
    /// and over images of `gy[img, oc, q] * x[img, ic, p]`, read from `gy` in
    /// place and from `x` laid out as `[p][img][ic]`; then written to the
    /// block's rows of `[o, c, 3, 3]`. Each sum runs in the same order
    /// whatever the thread count.
    func denseWeightGradient(gy: Tensor, x: Tensor) -> Tensor {
        let pixels = densePixels, block = DirectConv3x3.channelBlock, columns = DirectConv3x3.paddedColumns(c)
        let compute = Compute.current, blocks = o / block, scratch = 9 * block * columns, inSize = pixels * n * columns
        // Per tap, its pixel pairs (q, p) as segments: input rows of pixel p, weights (gy) at pixel q.
        var segments = [[(input: Int, weight: Int)]](repeating: [], count: 9)
        for q in 0..<pixels { for p in 0..<pixels { segments[denseTap(q, p)].append((input: p * n * columns, weight: q)) } }
        var dW = Tensor(uninitializedShape: [o, c, 3, 3])
        gy.withUnsafeBufferPointer { gb in x.withUnsafeBufferPointer { xb in dW.withUnsafeMutableBufferPointer { wb in
        Workspace.shared.with(count: inSize + compute.workers(for: blocks) * scratch) { ws in
            let gp = gb.baseAddress!, xp = xb.baseAddress!, wp = wb.baseAddress!
            for p in 0..<pixels { for img in 0..<n {
                let row = ws + (p * n + img) * columns
                for ic in 0..<c { row[ic] = xp[(img * c + ic) * pixels + p] }
                for ic in c..<columns { row[ic] = 0 }
            }}
            compute.forEachChunk(blocks) { worker, range in
                let sums = ws + inSize + worker * scratch
                for b in range {
                    for t in 0..<9 where !segments[t].isEmpty {
                        DirectConv3x3.multiplyStrided(ws, channels: n, rowStride: columns, weights: gp + b * block * pixels,
                                                      segments: segments[t], laneStride: pixels, channelStride: o * pixels,
                                                      columns: columns, out: sums + t * block * columns)
                    }
                    for lane in 0..<block { for ic in 0..<c {
                        let dst = wp + ((b * block + lane) * c + ic) * 9
                        for t in 0..<9 { dst[t] = segments[t].isEmpty ? 0 : sums[(t * block + lane) * columns + ic] }
                    }}
                }
            }
        }}}}
        return dW
    }

    /// The dense product over `input` (`[n, k, h, w]`): `out[img, j, r] = sum over
    /// s, k of weight[j, k, tap(r, s)] * input[img, k, s]` for pixels `r`, `s`,
    /// plus `bias[j]`; or, `transposed`, of `weight[k, j, tap(s, r)]` (the
    /// input gradient: `input` is the output gradient). Blocks of four `j`
    /// at one pixel read their taps from `weight` where they lie.
    private func denseProduct(_ input: Tensor, weight: Tensor, transposed: Bool, bias: Tensor?) -> Tensor {
        let (channels, channelsOut) = transposed ? (o, c) : (c, o)
        // Weight `[o, c, 3, 3]`: along output channels c * 9 floats apart, along input channels 9.
        let (laneStride, channelStride) = transposed ? (9, c * 9) : (c * 9, 9)
        let pixels = densePixels, depth = pixels * channels, block = DirectConv3x3.channelBlock
        let columns = DirectConv3x3.paddedColumns(n), rows = pixels * channelsOut, blocks = channelsOut / block
        // Per output pixel r, each input pixel's rows with the tap joining them.
        let segments = (0..<pixels).map { r in
            (0..<pixels).map { s in (input: s * channels * columns, weight: transposed ? denseTap(s, r) : denseTap(r, s)) }
        }
        var out = Tensor(uninitializedShape: [n, channelsOut, geo.h, geo.w])
        input.withUnsafeBufferPointer { ib in weight.withUnsafeBufferPointer { wb in out.withUnsafeMutableBufferPointer { ob in
        Workspace.shared.with(count: (depth + rows) * columns) { ws in
            let ip = ib.baseAddress!, wp = wb.baseAddress!, op = ob.baseAddress!, sums = ws + depth * columns
            // The input as `[s, k][image]`, the columns past the batch zero.
            for row in 0..<depth {
                let (s, k) = row.quotientAndRemainder(dividingBy: channels), dst = ws + row * columns
                for img in 0..<n { dst[img] = ip[(img * channels + k) * pixels + s] }
                for img in n..<columns { dst[img] = 0 }
            }
            // Blocks in channel-major order, so the pixels of one block of channels share its weight rows in cache.
            Compute.current.parallelRanges(blocks * pixels, costPerItem: depth * columns) { range in
                for index in range {
                    let (j, r) = index.quotientAndRemainder(dividingBy: pixels)
                    DirectConv3x3.multiplyStrided(ws, channels: channels, rowStride: columns, weights: wp + j * block * laneStride,
                                                  segments: segments[r], laneStride: laneStride, channelStride: channelStride,
                                                  columns: columns, out: sums + (r * channelsOut + j * block) * columns)
                }
            }
            for img in 0..<n { for j in 0..<channelsOut {
                let dst = op + (img * channelsOut + j) * pixels, b = bias?.storage[j] ?? 0
                for r in 0..<pixels { dst[r] = sums[(r * channelsOut + j) * columns + img] + b }
            }}
        }}}}
        return out
    }
}
