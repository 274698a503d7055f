import NeuralNetKernels

/// 3x3 "same" convolutions over planes of at most 2x2 pixels (U-Net-resnet18's
/// last stage at 64² tiles). There every output pixel sees every input pixel
/// through its own tap, so the convolution is one dense product
/// `[h w o, h w c] x [h w c, images]`: 16 multiply-adds per channel pair on a
/// 2x2 plane, where im2col does 36 and Winograd's 16 run as sixteen GEMMs that
/// each pack their share of the filters again on every call. The dense weight
/// is built once per eval-mode weight and plane size (`PreparedWeights.Form.densePlane`,
/// `16 o c` floats on a 2x2 plane) in `DirectConv3x3.multiply`'s packed
/// layout, which the product reads as it is. Only with prepared weights and
/// the AVX2 kernels: a training step would rebuild the dense weight (four
/// times the weight's size) every step.
extension ConvPlan {
    /// True when the dense product computes this convolution: a Winograd
    /// shape (3x3, stride 1, padding 1, one group) on a plane of at most 2x2.
    var densePlaneApplies: Bool { winogradApplies && geo.h <= 2 && geo.w <= 2 }

    /// True when the forward runs as the dense product: it applies, the
    /// weight is prepared (kept between calls) and the CPU has the kernels.
    func usesDensePlane(preparedFilters: Bool) -> Bool { preparedFilters && densePlaneApplies && KernelSupport.available }

    /// Pixels of the plane (input and output alike).
    private var densePixels: Int { geo.h * geo.w }

    /// The dense weight's output rows `(pixel, channel)` in blocks of
    /// `DirectConv3x3.channelBlock`, the last block padded with zero rows.
    private var denseBlocks: Int { (densePixels * o + DirectConv3x3.channelBlock - 1) / DirectConv3x3.channelBlock }

    /// The dense weight `W[(q, oc), (p, ic)] = weight[oc, ic, py - qy + 1, px - qx + 1]`
    /// for output pixel `q` and input pixel `p`, packed as `[blocks][p, ic][4]`.
    func denseWeights(_ weight: Tensor) -> [Float] {
        let pixels = densePixels, depth = pixels * c, block = DirectConv3x3.channelBlock, rows = pixels * o
        return [Float](unsafeUninitializedCapacity: denseBlocks * depth * block) { ub, initialized in
            weight.withUnsafeBufferPointer { w in
                let wp = UncheckedSendable(w.baseAddress!), up = UncheckedSendable(ub.baseAddress!)
                Compute.current.parallelRanges(denseBlocks, costPerItem: depth * block) { blocks in
                    for b in blocks { for lane in 0..<block {
                        let row = b * block + lane, dst = up.value + b * depth * block + lane
                        guard row < rows else {
                            for k in 0..<depth { dst[k * block] = 0 }
                            continue
                        }
                        let (q, oc) = row.quotientAndRemainder(dividingBy: o)
                        for p in 0..<pixels {
                            let tap = (p / geo.w - q / geo.w + 1) * 3 + (p % geo.w - q % geo.w + 1)
                            let src = wp.value + oc * c * 9 + tap, out = dst + p * c * block
                            for ic in 0..<c { out[ic * block] = src[ic * 9] }
                        }
                    }}
                }
            }
            initialized = ub.count
        }
    }

    /// The convolution of `x` as the dense product, bias and epilogue applied.
    func denseForwardBatch(x: Tensor, weight: Tensor, bias: Tensor?, epilogue: ConvEpilogue, prepared: PreparedWeights?) -> Tensor {
        let packed = prepared.form(.densePlane(h: geo.h, w: geo.w)) { denseWeights(weight) }
        let pixels = densePixels, depth = pixels * c, block = DirectConv3x3.channelBlock, blocks = denseBlocks
        let columns = DirectConv3x3.paddedColumns(n), inSize = depth * columns
        var y = Tensor(uninitializedShape: outputShape)
        x.withUnsafeBufferPointer { xb in packed.withUnsafeBufferPointer { pb in y.withUnsafeMutableBufferPointer { yb in
        Workspace.shared.with(count: inSize + blocks * block * columns) { ws in
            let xp = xb.baseAddress!, yp = yb.baseAddress!, a = UncheckedSendable(ws), sums = UncheckedSendable(ws + inSize)
            let weights = UncheckedSendable(pb.baseAddress!)
            // The input as `[p, ic][image]`, the columns past the batch zero.
            for k in 0..<depth {
                let (p, ic) = k.quotientAndRemainder(dividingBy: c), row = ws + k * columns
                for img in 0..<n { row[img] = xp[(img * c + ic) * pixels + p] }
                for img in n..<columns { row[img] = 0 }
            }
            Compute.current.parallelRanges(blocks, costPerItem: depth * columns) { range in
                DirectConv3x3.multiply(a.value, channels: depth, rowStride: columns, weights: weights.value + range.lowerBound * depth * block,
                                       blocks: range.count, columns: columns, out: sums.value + range.lowerBound * block * columns)
            }
            for img in 0..<n { for oc in 0..<o {
                let dst = yp + (img * o + oc) * pixels, b = bias?.storage[oc] ?? 0
                for q in 0..<pixels { dst[q] = sums.value[(q * o + oc) * columns + img] + b }
            }}
            if !epilogue.isNone { epilogue.apply(yp, offset: 0, count: n * o * pixels) }
        }}}}
        return y
    }
}
