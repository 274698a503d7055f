/// Nearest-neighbour upsampling by an integer factor (PyTorch
/// `F.interpolate(x, scale_factor=s, mode="nearest")`; smp's U-Net decoder uses 2).
public func upsampleNearest(_ x: Variable, scale: Int = 2) -> Variable {
    let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
    let oh = h * scale, ow = w * scale
    var y = Tensor(shape: [n, c, oh, ow])
    x.value.withUnsafeBufferPointer { xv in y.withUnsafeMutableBufferPointer { yv in
        let (xp, yp) = (xv.baseAddress!, yv.baseAddress!)
        Compute.current.parallelRanges(n * c, costPerItem: oh * ow) { planes in
            for p in planes { for oy in 0..<oh {
                let src = xp + (p * h + oy / scale) * w, dst = yp + (p * oh + oy) * ow
                for ox in 0..<ow { dst[ox] = src[ox / scale] }
            }}
        }
    }}
    return Variable(value: y, parents: [x]) { gy in
        var dx = Tensor(shape: x.shape)
        gy.withUnsafeBufferPointer { gv in dx.withUnsafeMutableBufferPointer { dv in
            let (gp, dp) = (gv.baseAddress!, dv.baseAddress!)
            Compute.current.parallelRanges(n * c, costPerItem: oh * ow) { planes in
                for p in planes { for oy in 0..<oh {
                    let src = gp + (p * oh + oy) * ow, dst = dp + (p * h + oy / scale) * w
                    for ox in 0..<ow { dst[ox / scale] += src[ox] }
                }}
            }
        }}
        return [dx]
    }
}

/// Bilinear resampling to `size` (PyTorch `F.interpolate(mode="bilinear")`
/// with `align_corners` as given; PyTorch's default is false).
public func upsampleBilinear(_ x: Variable, size: Size2d, alignCorners: Bool = false) -> Variable {
    let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
    let ry = bilinearTaps(input: h, output: size.h, alignCorners: alignCorners)
    let rx = bilinearTaps(input: w, output: size.w, alignCorners: alignCorners)
    var y = Tensor(shape: [n, c, size.h, size.w])
    x.value.withUnsafeBufferPointer { xv in y.withUnsafeMutableBufferPointer { yv in
        for p in 0..<(n * c) {
            let src = xv.baseAddress! + p * h * w, dst = yv.baseAddress! + p * size.h * size.w
            for (oy, ty) in ry.enumerated() {
                let r0 = src + ty.i0 * w, r1 = src + ty.i1 * w
                for (ox, tx) in rx.enumerated() {
                    let top = (1 - tx.t) * r0[tx.i0] + tx.t * r0[tx.i1]
                    let bottom = (1 - tx.t) * r1[tx.i0] + tx.t * r1[tx.i1]
                    dst[oy * size.w + ox] = (1 - ty.t) * top + ty.t * bottom
                }
            }
        }
    }}
    return Variable(value: y, parents: [x]) { gy in
        var dx = Tensor(shape: x.shape)
        gy.withUnsafeBufferPointer { gv in dx.withUnsafeMutableBufferPointer { dv in
            for p in 0..<(n * c) {
                let g = gv.baseAddress! + p * size.h * size.w, d = dv.baseAddress! + p * h * w
                for (oy, ty) in ry.enumerated() { for (ox, tx) in rx.enumerated() {
                    let v = g[oy * size.w + ox]
                    d[ty.i0 * w + tx.i0] += (1 - ty.t) * (1 - tx.t) * v
                    d[ty.i0 * w + tx.i1] += (1 - ty.t) * tx.t * v
                    d[ty.i1 * w + tx.i0] += ty.t * (1 - tx.t) * v
                    d[ty.i1 * w + tx.i1] += ty.t * tx.t * v
                }}
            }
        }}
        return [dx]
    }
}

/// For each output index, the two source indices and the weight of the second.
private func bilinearTaps(input: Int, output: Int, alignCorners: Bool) -> [(i0: Int, i1: Int, t: Float)] {
    (0..<output).map { o in
        let src: Float
        if alignCorners {
            src = output > 1 ? Float(o) * Float(input - 1) / Float(output - 1) : 0
        } else {
            src = max((Float(o) + 0.5) * Float(input) / Float(output) - 0.5, 0)
        }
        let i0 = min(Int(src), input - 1)
        return (i0, min(i0 + 1, input - 1), src - Float(i0))
    }
}
