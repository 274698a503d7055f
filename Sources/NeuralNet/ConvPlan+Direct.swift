import Foundation
import NeuralNetKernels

/// 3x3, stride-1, padding-1 convolutions with few output channels through
/// NeuralNetKernels' `DirectConv3x3` (AVX2 + FMA, no packing) when the CPU
/// has it.
extension ConvPlan {
    /// True when the direct kernel applies, the CPU can run it, and it beats
    /// the GEMM paths. Measured per U-Net layer (batch 8, 2 threads): it wins
    /// with up to 32 output channels (1.2-1.6x) and against im2col with up
    /// to 64 (1.26x), but loses to OpenBLAS with more, or to the shifted GEMM
    /// at 64, or on planes narrower than three vectors. The blocked Winograd
    /// kernel (`usesWinogradBlocked`), where it applies, is tried first.
    var usesDirectConv: Bool {
        KernelSupport.available && geo.kh == 3 && geo.kw == 3 && geo.sh == 1 && geo.sw == 1 && geo.dh == 1 && geo.dw == 1
            && geo.padTop == 1 && geo.padLeft == 1 && geo.oh == geo.h && geo.ow == geo.w && groups == 1 && geo.w >= 24
            && (o <= 32 || (o <= 64 && !shiftedGemmApplies))
    }

    /// The whole batch through `DirectConv3x3`, row by row, each output row
    /// finished (bias, epilogue) while it is in L1.
    func directForwardBatch(x: Tensor, weight: Tensor, bias: Tensor?, epilogue: ConvEpilogue) -> Tensor {
        directForwardBatch(input: .planes(x), weight: weight, bias: bias, epilogue: epilogue)
    }

    /// Where the input planes of a direct or blocked Winograd convolution come from.
    enum ConvInput {
        /// The input tensor itself, `[n, c, h, w]`.
        case planes(Tensor)
        /// `concat([upsampleNearest(x, scale: scale), skip], axis: 1)`, read from
        /// `x` and `skip` as the padded copy is made, never materialised.
        case upsampledConcat(Tensor, skip: Tensor?, scale: Int)

        /// Calls `body` with a reader of the input's rows, valid inside `body`,
        /// for an input of `channels` planes of `h x w`.
        func withRows<R>(channels: Int, h: Int, w: Int, _ body: (InputRows) -> R) -> R {
            let (x, skip, scale): (Tensor, Tensor?, Int) = switch self {
            case .planes(let x): (x, nil, 1)
            case .upsampledConcat(let x, let skip, let scale): (x, skip, scale)
            }
            return x.withUnsafeBufferPointer { xb in (skip ?? x).withUnsafeBufferPointer { sb in
                body(InputRows(x: xb.baseAddress!, skip: sb.baseAddress!, upsampled: scale == 1 ? channels : x.shape[1],
                               channels: channels, h: h, w: w, scale: scale))
            }}
        }
    }

    /// Rows of a `ConvInput`: plane `ch` of image `img` is `x`'s own (or its
    /// upsampled) plane for `ch < upsampled`, else the skip's plane `ch - upsampled`.
    struct InputRows {
        let x, skip: UnsafePointer<Float>
        let upsampled, channels, h, w, scale: Int

        /// True when row `iy` of plane `ch` equals the row above (an upsampled row past the first of its source row).
        func repeatsRowAbove(_ ch: Int, _ iy: Int) -> Bool { ch < upsampled && iy % scale != 0 }

        /// The `w` floats of row `iy` of plane `ch` of image `img`: read in place,
        /// or upsampled into `scratch` (`w` floats) and returned there.
        func row(_ img: Int, _ ch: Int, _ iy: Int, scratch: UnsafeMutablePointer<Float>) -> UnsafePointer<Float> {
            guard ch < upsampled else { return skip + ((img * (channels - upsampled) + ch - upsampled) * h + iy) * w }
            guard scale > 1 else { return x + ((img * upsampled + ch) * h + iy) * w }
            let (sh, sw) = (h / scale, w / scale)
            upsampleRow(x + ((img * upsampled + ch) * sh + iy / scale) * sw, scratch, w: sw, scale: scale)
            return UnsafePointer(scratch)
        }
    }

    func directForwardBatch(input: ConvInput, weight: Tensor, bias: Tensor?, epilogue: ConvEpilogue) -> Tensor {
        let columns = DirectConv3x3.paddedColumns(geo.w), rowStride = columns + 2, planeStride = (geo.h + 2) * rowStride
        let blocks = (o + DirectConv3x3.channelBlock - 1) / DirectConv3x3.channelBlock
        let packed = weight.withUnsafeBufferPointer { DirectConv3x3.packWeights($0.baseAddress!, outChannels: o, inChannels: c) }
        let rowSize = blocks * DirectConv3x3.channelBlock * columns, perWorker = c * planeStride + rowSize
        var y = Tensor(uninitializedShape: outputShape)
        let compute = Compute.current
        input.withRows(channels: c, h: geo.h, w: geo.w) { rows in
        packed.withUnsafeBufferPointer { wb in y.withUnsafeMutableBufferPointer { yb in
        Workspace.shared.with(count: compute.workers(for: n) * perWorker) { ws in
            let wp = wb.baseAddress!, yp = yb.baseAddress!
            compute.forEachChunk(n) { worker, images in
                let padded = ws + worker * perWorker, rowOut = padded + c * planeStride
                for img in images {
                    padForDirect(padded, rowStride: rowStride) { ch, iy, dst in
                        // Rows after the first of each upsampled source row repeat the padded row above.
                        guard !rows.repeatsRowAbove(ch, iy) else { return dst.update(from: dst - rowStride, count: geo.w) }
                        let row = rows.row(img, ch, iy, scratch: dst)
                        if row != dst { dst.update(from: row, count: geo.w) }
                    }
                    for oy in 0..<geo.h {
                        DirectConv3x3.row(oy, input: padded, channels: c, planeStride: planeStride, rowStride: rowStride,
                                          weights: wp, blocks: blocks, columns: columns, out: rowOut)
                        for ch in 0..<o {
                            let offset = ((img * o + ch) * geo.h + oy) * geo.w, dst = yp + offset
                            dst.update(from: rowOut + ch * columns, count: geo.w)
                            if bias != nil || !epilogue.isNone {
                                epilogue.apply(dst, offset: offset, count: geo.w, bias: bias?.storage[ch])
                            }
                        }
                    }
                }
            }
        }}}}
        return y
    }

    /// Fills one image's padded copy: `c` planes of `h + 2` rows of `rowStride`
    /// floats, `fillRow(channel, row, destination)` writing each image row's `w`
    /// values at row 1, column 1, zeros around.
    private func padForDirect(_ padded: UnsafeMutablePointer<Float>, rowStride: Int,
                              _ fillRow: (Int, Int, UnsafeMutablePointer<Float>) -> Void) {
        let rows = geo.h + 2
        for ch in 0..<c {
            let plane = padded + ch * rows * rowStride
            plane.update(repeating: 0, count: rowStride)
            (plane + (rows - 1) * rowStride).update(repeating: 0, count: rowStride)
            for iy in 0..<geo.h {
                let row = plane + (iy + 1) * rowStride
                row[0] = 0
                fillRow(ch, iy, row + 1)
                (row + 1 + geo.w).update(repeating: 0, count: rowStride - 1 - geo.w)
            }
        }
    }
}
