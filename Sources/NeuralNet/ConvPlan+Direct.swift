import Foundation
import NeuralNetKernels

/// 3x3, stride-1, padding-1 convolutions with few output channels through
/// `DirectConv3x3` (AVX2 + FMA registers, no packing) when the CPU has them.
extension ConvPlan {
    /// True when this machine can run `DirectConv3x3` (read once from /proc/cpuinfo).
    static let directKernelsSupported: Bool = {
        let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        guard let flagLine = cpuinfo.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else { return false }
        let flags = Set(flagLine.split(separator: ":").last?.split(separator: " ").map(String.init) ?? [])
        return flags.isSuperset(of: DirectConv3x3.requiredFlags)
    }()

    /// True when the direct kernel applies, the CPU can run it, and it beats
    /// the GEMM paths. Measured per U-Net layer (batch 8, 2 threads): it wins
    /// with up to 32 output channels (1.2-1.6x) and against im2col with up
    /// to 64 (1.26x), but loses to OpenBLAS with more, or to the shifted GEMM
    /// at 64, or on planes narrower than three vectors.
    var usesDirectConv: Bool {
        Self.directKernelsSupported && geo.kh == 3 && geo.kw == 3 && geo.sh == 1 && geo.sw == 1 && geo.dh == 1 && geo.dw == 1
            && geo.padTop == 1 && geo.padLeft == 1 && geo.oh == geo.h && geo.ow == geo.w && groups == 1 && geo.w >= 24
            && (o <= 32 || (o <= 64 && !shiftedGemmApplies))
    }

    /// The whole batch through `DirectConv3x3`, row by row, each output row
    /// finished (bias, epilogue) while it is in L1.
    func directForwardBatch(x: Tensor, weight: Tensor, bias: Tensor?, epilogue: ConvEpilogue) -> Tensor {
        let columns = DirectConv3x3.paddedColumns(geo.w), rowStride = columns + 2, planeStride = (geo.h + 2) * rowStride
        let blocks = (o + DirectConv3x3.channelBlock - 1) / DirectConv3x3.channelBlock
        let packed = weight.withUnsafeBufferPointer { DirectConv3x3.packWeights($0.baseAddress!, outChannels: o, inChannels: c) }
        let rowSize = blocks * DirectConv3x3.channelBlock * columns, perWorker = c * planeStride + rowSize
        var y = Tensor(uninitializedShape: outputShape)
        let compute = Compute.current
        x.withUnsafeBufferPointer { xb in packed.withUnsafeBufferPointer { wb in y.withUnsafeMutableBufferPointer { yb in
        Workspace.shared.with(count: compute.workers(for: n) * perWorker) { ws in
            let xp = xb.baseAddress!, wp = wb.baseAddress!, yp = yb.baseAddress!
            compute.forEachChunk(n) { worker, images in
                let padded = ws + worker * perWorker, rowOut = padded + c * planeStride
                for img in images {
                    padForDirect(xp + img * c * inPlane, padded, rowStride: rowStride)
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

    /// Copies one image `[c, h, w]` to rows of `rowStride` floats at row 1, column 1, zeros around.
    private func padForDirect(_ x: UnsafePointer<Float>, _ padded: UnsafeMutablePointer<Float>, rowStride: Int) {
        let rows = geo.h + 2
        for ch in 0..<c {
            let plane = padded + ch * rows * rowStride
            plane.update(repeating: 0, count: rowStride)
            (plane + (rows - 1) * rowStride).update(repeating: 0, count: rowStride)
            for iy in 0..<geo.h {
                let row = plane + (iy + 1) * rowStride
                row[0] = 0
                (row + 1).update(from: x + (ch * geo.h + iy) * geo.w, count: geo.w)
                (row + 1 + geo.w).update(repeating: 0, count: rowStride - 1 - geo.w)
            }
        }
    }
}
