/// Nearest-neighbour upsampling by an integer factor (PyTorch
/// `F.interpolate(x, scale_factor=s, mode="nearest")`; smp's U-Net decoder uses 2).
public func upsampleNearest(_ x: Variable, scale: Int = 2) -> Variable {
    let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
    var y = Tensor(uninitializedShape: [n, c, h * scale, w * scale])
    x.value.withUnsafeBufferPointer { xv in y.withUnsafeMutableBufferPointer { yv in
        let (xp, yp) = (xv.baseAddress!, yv.baseAddress!)
        Compute.current.parallelRanges(n * c, costPerItem: h * w * scale * scale) { planes in
            for p in planes { upsamplePlane(xp + p * h * w, yp + p * h * w * scale * scale, h: h, w: w, scale: scale) }
        }
    }}
    return Variable(value: y, parents: [x]) { gy in
        var dx = Tensor(shape: x.shape)
        gy.withUnsafeBufferPointer { gv in dx.withUnsafeMutableBufferPointer { dv in
            let (gp, dp) = (gv.baseAddress!, dv.baseAddress!)
            Compute.current.parallelRanges(n * c, costPerItem: h * w * scale * scale) { planes in
                for p in planes { addBlockSums(gp + p * h * w * scale * scale, dp + p * h * w, h: h, w: w, scale: scale) }
            }
        }}
        return [dx]
    }
}

/// `concat([upsampleNearest(x, scale: scale), skip], axis: 1)` in one pass, each
/// upsampled plane written straight to its place: the U-Net decoder's step.
public func upsampleNearestConcat(_ x: Variable, _ skip: Variable, scale: Int = 2) -> Variable {
    let (n, cx, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
    let (oh, ow) = (h * scale, w * scale), cs = skip.shape[1], ct = cx + cs, plane = oh * ow
    precondition(skip.shape == [n, cs, oh, ow], "upsampleNearestConcat: skip \(skip.shape) for upsampled \([n, cx, oh, ow])")
    var y = Tensor(uninitializedShape: [n, ct, oh, ow])
    x.value.withUnsafeBufferPointer { xv in skip.value.withUnsafeBufferPointer { sv in y.withUnsafeMutableBufferPointer { yv in
        let (xp, sp, yp) = (xv.baseAddress!, sv.baseAddress!, yv.baseAddress!)
        Compute.current.parallelRanges(n * ct, costPerItem: plane) { planes in
            for p in planes {
                let (img, ch) = p.quotientAndRemainder(dividingBy: ct)
                if ch < cx {
                    upsamplePlane(xp + (img * cx + ch) * h * w, yp + p * plane, h: h, w: w, scale: scale)
                } else {
                    (yp + p * plane).update(from: sp + (img * cs + ch - cx) * plane, count: plane)
                }
            }
        }
    }}}
    return Variable(value: y, parents: [x, skip]) { gy in
        var dx = x.requiresGrad ? Tensor(shape: x.shape) : nil
        var dskip = skip.requiresGrad ? Tensor(uninitializedShape: skip.shape) : nil
        gy.withUnsafeBufferPointer { gv in
            let gp = gv.baseAddress!
            dx?.withUnsafeMutableBufferPointer { dv in
                let dp = dv.baseAddress!
                Compute.current.parallelRanges(n * cx, costPerItem: plane) { planes in
                    for p in planes {
                        let (img, ch) = p.quotientAndRemainder(dividingBy: cx)
                        addBlockSums(gp + (img * ct + ch) * plane, dp + p * h * w, h: h, w: w, scale: scale)
                    }
                }
            }
            dskip?.withUnsafeMutableBufferPointer { dv in
                for img in 0..<n { (dv.baseAddress! + img * cs * plane).update(from: gp + (img * ct + cx) * plane, count: cs * plane) }
            }
        }
        return [dx, dskip]
    }
}

/// Writes one `h x w` plane upsampled `scale` times (nearest) to `dst`.
private func upsamplePlane(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, h: Int, w: Int, scale: Int) {
    let ow = w * scale
    for iy in 0..<h {
        let row = dst + iy * scale * ow
        upsampleRow(src + iy * w, row, w: w, scale: scale)
        for k in 1..<max(scale, 1) { (row + k * ow).update(from: row, count: ow) }
    }
}

/// Writes one row of `w` values, each repeated `scale` times, to `dst`.
@inline(__always) func upsampleRow(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, w: Int, scale: Int) {
    if scale == 2 {
        for ix in 0..<w { let v = src[ix]; dst[2 * ix] = v; dst[2 * ix + 1] = v }
    } else {
        for ix in 0..<w { (dst + ix * scale).update(repeating: src[ix], count: scale) }
    }
}

/// Adds each `scale x scale` block of the upsampled-plane gradient `g` into its source element of `d`.
private func addBlockSums(_ g: UnsafePointer<Float>, _ d: UnsafeMutablePointer<Float>, h: Int, w: Int, scale: Int) {
    let ow = w * scale
    for oy in 0..<(h * scale) {
        let src = g + oy * ow, dst = d + (oy / scale) * w
        for ox in 0..<ow { dst[ox / scale] += src[ox] }
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
