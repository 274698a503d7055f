import NeuralNetKernels

/// Max pooling (PyTorch `F.max_pool2d`, floor mode): padding counts as -inf;
/// the gradient goes to the first maximum of each window.
public func maxPool2d(_ x: Variable, kernel: Size2d, stride: Size2d? = nil, padding: Size2d = 0) -> Variable {
    let s = stride ?? kernel
    let geo = poolGeometry(x.shape, kernel, s, padding)
    let (n, c) = (x.shape[0], x.shape[1])
    guard x.requiresGrad else { return Variable(maxPoolValues(x.value, geo)) }
    var y = Tensor(shape: [n, c, geo.oh, geo.ow])
    var argmax = [Int32](repeating: 0, count: y.count)
    x.value.withUnsafeBufferPointer { xv in y.withUnsafeMutableBufferPointer { yv in argmax.withUnsafeMutableBufferPointer { av in
        let (xp, yp, ap) = (xv.baseAddress!, yv.baseAddress!, av.baseAddress!)
        Compute.current.parallelRanges(n * c, costPerItem: geo.oh * geo.ow * geo.kh * geo.kw) { planes in
            for p in planes { maxPoolPlane(geo, xp + p * geo.h * geo.w, yp + p * geo.oh * geo.ow, ap + p * geo.oh * geo.ow) }
        }
    }}}
    let plane = geo.oh * geo.ow, inPlane = geo.h * geo.w
    return Variable(value: y, parents: [x]) { gy in
        var dx = Tensor(shape: x.shape)
        gy.withUnsafeBufferPointer { gv in dx.withUnsafeMutableBufferPointer { dv in argmax.withUnsafeBufferPointer { av in
            let (gp, dp, ap) = (gv.baseAddress!, dv.baseAddress!, av.baseAddress!)
            Compute.current.parallelRanges(n * c, costPerItem: plane) { planes in
                for p in planes {
                    let d = dp + p * inPlane
                    for o in p * plane..<(p + 1) * plane { d[Int(ap[o])] += gp[o] }
                }
            }
        }}}
        return [dx]
    }
}

/// Max of each window of one plane, and where (flat index into the plane) it
/// was: the window's first tap inside the plane, then any greater value or
/// NaN (`replaces`), in window order (rows, then columns). Output columns
/// whose windows lie inside the plane's width go eight at a time
/// (`maxPoolEight`), with no data-dependent branch; the others one by one.
private func maxPoolPlane(_ geo: ConvGeometry, _ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>,
                          _ argmax: UnsafeMutablePointer<Int32>) {
    // Columns lo..<hi have every tap inside the width.
    let lo = min(geo.ow, (geo.padLeft + geo.sw - 1) / geo.sw)
    let lastStart = geo.w - geo.kw + geo.padLeft
    let hi = lastStart < 0 ? lo : max(lo, min(geo.ow, lastStart / geo.sw + 1))
    for oy in 0..<geo.oh {
        let row = oy * geo.ow
        func one(_ ox: Int) {
            var best = -Float.infinity, at = -1
            for i in 0..<geo.kh {
                let iy = oy * geo.sh - geo.padTop + i
                guard iy >= 0 && iy < geo.h else { continue }
                for j in 0..<geo.kw {
                    let ix = ox * geo.sw - geo.padLeft + j
                    guard ix >= 0 && ix < geo.w else { continue }
                    let v = src[iy * geo.w + ix]
                    if at < 0 || replaces(v, best) { best = v; at = iy * geo.w + ix }
                }
            }
            dst[row + ox] = best
            argmax[row + ox] = Int32(at)
        }
        for ox in 0..<lo { one(ox) }
        overlappingLaneLoop(hi - lo, { maxPoolEight(geo, src, oy, lo + $0, dst + row + lo + $0, argmax + row + lo + $0) },
                            { one(lo + $0) })
        for ox in hi..<geo.ow { one(ox) }
    }
}

/// `maxPoolPlane` for output columns `ox..<ox + 8` of row `oy`, whose windows
/// lie inside the plane's width: the same scan, one lane per column.
@inline(__always)
private func maxPoolEight(_ geo: ConvGeometry, _ src: UnsafePointer<Float>, _ oy: Int, _ ox: Int,
                          _ dst: UnsafeMutablePointer<Float>, _ argmax: UnsafeMutablePointer<Int32>) {
    let offsets = SIMD8<Int32>(0, 1, 2, 3, 4, 5, 6, 7) &* Int32(geo.sw)
    var best = SIMD8<Float>(repeating: -.infinity), at = SIMD8<Int32>(repeating: -1), first = true
    for i in 0..<geo.kh {
        let iy = oy * geo.sh - geo.padTop + i
        guard iy >= 0 && iy < geo.h else { continue }
        for j in 0..<geo.kw {
            let start = iy * geo.w + ox * geo.sw - geo.padLeft + j
            let v = lanes(src + start, stride: geo.sw), index = SIMD8<Int32>(repeating: Int32(start)) &+ offsets
            if first {
                best = v; at = index; first = false
                continue
            }
            let take = replaces(v, best)
            best.replace(with: v, where: take)
            at.replace(with: index, where: take)
        }
    }
    LaneMath.store(best, dst)
    UnsafeMutableRawPointer(argmax).storeBytes(of: at, as: SIMD8<Int32>.self)
}

/// True where `v` takes a window's maximum from `best`: greater, or NaN (NaN wins, as in PyTorch).
@inline(__always) private func replaces(_ v: Float, _ best: Float) -> Bool { v > best || v.isNaN }
@inline(__always) private func replaces(_ v: SIMD8<Float>, _ best: SIMD8<Float>) -> SIMDMask<SIMD8<Int32>> {
    (v .> best) .| (v .!= v)
}

/// Max pooling's values alone (nothing to differentiate): each output row is the
/// maximum over its window's rows (eight lanes at a time), then over each
/// window's columns of that (eight windows at a time), read from a row padded
/// with -inf on both sides.
/// NaN wins as in the scan above, so the values are the same.
private func maxPoolValues(_ x: Tensor, _ geo: ConvGeometry) -> Tensor {
    let planes = x.shape[0] * x.shape[1]
    var y = Tensor(uninitializedShape: [x.shape[0], x.shape[1], geo.oh, geo.ow])
    @inline(__always) func pick(_ best: Float, _ v: Float) -> Float { replaces(v, best) ? v : best }
    @inline(__always) func pick(_ best: SIMD8<Float>, _ v: SIMD8<Float>) -> SIMD8<Float> { best.replacing(with: v, where: replaces(v, best)) }
    // The padded row: `padLeft` floats of -inf, the row's maxima, -inf to the last window's end.
    let span = max((geo.ow - 1) * geo.sw + geo.kw, geo.padLeft + geo.w)
    x.withUnsafeBufferPointer { xv in y.withUnsafeMutableBufferPointer { yv in
        let (xp, yp) = (xv.baseAddress!, yv.baseAddress!)
        Compute.current.parallelRanges(planes, costPerItem: geo.oh * geo.ow * geo.kh * geo.kw) { range in
            let padded = UnsafeMutablePointer<Float>.allocate(capacity: span)
            defer { padded.deallocate() }
            padded.initialize(repeating: -.infinity, count: span)
            let rowMax = padded + geo.padLeft
            for p in range {
                let src = xp + p * geo.h * geo.w, dst = yp + p * geo.oh * geo.ow
                for oy in 0..<geo.oh {
                    rowMax.update(repeating: -.infinity, count: geo.w)
                    for i in 0..<geo.kh {
                        let iy = oy * geo.sh - geo.padTop + i
                        guard iy >= 0 && iy < geo.h else { continue }
                        let row = src + iy * geo.w
                        laneLoop(geo.w, { LaneMath.store(pick(lanes(rowMax + $0), lanes(row + $0)), rowMax + $0) },
                                 { rowMax[$0] = pick(rowMax[$0], row[$0]) })
                    }
                    let out = dst + oy * geo.ow
                    overlappingLaneLoop(geo.ow, { ox in
                        var best = SIMD8<Float>(repeating: -.infinity)
                        for j in 0..<geo.kw { best = pick(best, lanes(padded + ox * geo.sw + j, stride: geo.sw)) }
                        LaneMath.store(best, out + ox)
                    }, { ox in
                        var best = -Float.infinity
                        for j in 0..<geo.kw { best = pick(best, padded[ox * geo.sw + j]) }
                        out[ox] = best
                    })
                }
            }
        }
    }}
    return y
}

/// Average pooling (PyTorch `F.avg_pool2d`, floor mode, `count_include_pad=True`:
/// every window divides by kh*kw).
public func avgPool2d(_ x: Variable, kernel: Size2d, stride: Size2d? = nil, padding: Size2d = 0) -> Variable {
    let geo = poolGeometry(x.shape, kernel, stride ?? kernel, padding)
    let planes = x.shape[0] * x.shape[1]
    let y = windowSums(x.value, planes: planes, geo: geo, scale: 1 / Float(kernel.h * kernel.w))
    return Variable(value: y, parents: [x]) { gy in
        var dx = Tensor(shape: x.shape)
        let scale = 1 / Float(kernel.h * kernel.w), kk = geo.kh * geo.kw, plane = geo.oh * geo.ow
        dx.withUnsafeMutableBufferPointer { d in gy.withUnsafeBufferPointer { g in
            let (dp, gp) = (d.baseAddress!, g.baseAddress!)
            Compute.current.parallelRanges(planes, costPerItem: kk * plane) { range in
                // One column buffer per chunk of planes, refilled for each plane.
                let col = UnsafeMutablePointer<Float>.allocate(capacity: kk * plane)
                defer { col.deallocate() }
                for p in range {
                    expandWindows(gp + p * plane, geo, scale, into: col)
                    geo.col2imAdd(col, channels: 1, dp + p * geo.h * geo.w)
                }
            }
        }}
        return [dx]
    }
}

/// Adaptive average pooling to `output` (PyTorch `F.adaptive_avg_pool2d`):
/// cell `i` averages rows `floor(i*h/oh) ..< ceil((i+1)*h/oh)`, likewise columns.
public func adaptiveAvgPool2d(_ x: Variable, output: Size2d) -> Variable {
    let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
    let rows = (0..<output.h).map { ($0 * h / output.h)..<(($0 + 1) * h + output.h - 1) / output.h }
    let cols = (0..<output.w).map { ($0 * w / output.w)..<(($0 + 1) * w + output.w - 1) / output.w }
    let (oh, ow) = (output.h, output.w)
    var y = Tensor(shape: [n, c, oh, ow])
    // Raw pointers, not `x.value.storage[...]`: element access through a class's stored array pays for exclusivity checks (DESIGN §7).
    x.value.withUnsafeBufferPointer { xv in y.withUnsafeMutableBufferPointer { yv in
        let (xp, yp) = (xv.baseAddress!, yv.baseAddress!)
        Compute.current.parallelRanges(n * c, costPerItem: h * w) { planes in
            // One cell per plane (squeeze-and-excitation): the whole plane's sum.
            if oh == 1 && ow == 1 {
                for p in planes { yp[p] = planeSum(xp + p * h * w, h * w) / Float(h * w) }
                return
            }
            for p in planes { for (oy, r) in rows.enumerated() { for (ox, cl) in cols.enumerated() {
                let src = xp + p * h * w
                var s: Float = 0
                for iy in r { for ix in cl { s += src[iy * w + ix] } }
                yp[(p * oh + oy) * ow + ox] = s / Float(r.count * cl.count)
            }}}
        }
    }}
    return Variable(value: y, parents: [x]) { gy in
        var dx = Tensor(shape: x.shape)
        gy.withUnsafeBufferPointer { gv in dx.withUnsafeMutableBufferPointer { dv in
            let (gp, dp) = (gv.baseAddress!, dv.baseAddress!)
            Compute.current.parallelRanges(n * c, costPerItem: h * w) { planes in
                for p in planes { for (oy, r) in rows.enumerated() { for (ox, cl) in cols.enumerated() {
                    let dst = dp + p * h * w
                    let g = gp[(p * oh + oy) * ow + ox] / Float(r.count * cl.count)
                    for iy in r { for ix in cl { dst[iy * w + ix] += g } }
                }}}
            }
        }}
        return [dx]
    }
}

private func poolGeometry(_ shape: [Int], _ k: Size2d, _ s: Size2d, _ p: Size2d) -> ConvGeometry {
    precondition(shape.count == 4, "pooling wants [n, c, h, w], got \(shape)")
    precondition(p.h * 2 <= k.h && p.w * 2 <= k.w, "pool padding \(p) must be at most half the kernel \(k)")
    let geo = ConvGeometry(h: shape[2], w: shape[3], kh: k.h, kw: k.w, stride: (s.h, s.w),
                           padding: Padding2d(p.h, p.w), dilation: (1, 1))
    precondition(geo.oh > 0 && geo.ow > 0, "pooling \(shape) with kernel \(k) leaves nothing")
    return geo
}

/// Window sums (times `scale`) of each of `planes` planes, via im2col.
private func windowSums(_ x: Tensor, planes: Int, geo: ConvGeometry, scale: Float) -> Tensor {
    let kk = geo.kh * geo.kw, plane = geo.oh * geo.ow
    var y = Tensor(shape: [x.shape[0], x.shape[1], geo.oh, geo.ow])
    var col = [Float](repeating: 0, count: kk * plane)
    x.withUnsafeBufferPointer { xv in y.withUnsafeMutableBufferPointer { yv in col.withUnsafeMutableBufferPointer { cv in
        for p in 0..<planes {
            geo.im2col(xv.baseAddress! + p * geo.h * geo.w, channels: 1, cv.baseAddress!)
            let out = yv.baseAddress! + p * plane
            for i in 0..<plane { out[i] = 0 }
            for k in 0..<kk { for i in 0..<plane { out[i] += cv[k * plane + i] } }
            for i in 0..<plane { out[i] *= scale }
        }
    }}}
    return y
}

/// Fills `col` (`[kh*kw, oh*ow]`) so every window row holds `g * scale` (the avg-pool backward).
private func expandWindows(_ g: UnsafePointer<Float>, _ geo: ConvGeometry, _ scale: Float, into col: UnsafeMutablePointer<Float>) {
    let kk = geo.kh * geo.kw, plane = geo.oh * geo.ow
    for k in 0..<kk { for i in 0..<plane { col[k * plane + i] = g[i] * scale } }
}
