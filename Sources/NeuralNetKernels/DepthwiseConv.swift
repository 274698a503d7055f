/// A depthwise convolution of one channel plane (one input plane, one kh x kw
/// filter) and its gradients, eight outputs at a time with every tap
/// accumulated in registers. Stride 1 reads contiguous vectors; stride 2
/// reads sixteen floats and keeps the even ones. Call it only on CPUs with
/// `KernelRequirements.cpuFlags`.
public enum DepthwiseConv {
    public typealias Lanes = SIMD8<Float>

    /// The geometry of one plane's convolution.
    public struct Geometry: Sendable {
        public var h, w, kh, kw, stride, dilation, padTop, padLeft, oh, ow: Int

        public init(h: Int, w: Int, kh: Int, kw: Int, stride: Int, dilation: Int, padTop: Int, padLeft: Int, oh: Int, ow: Int) {
            self.h = h; self.w = w; self.kh = kh; self.kw = kw; self.stride = stride; self.dilation = dilation
            self.padTop = padTop; self.padLeft = padLeft; self.oh = oh; self.ow = ow
        }

        /// Output columns computed, whole vectors.
        var columns: Int { (ow + 7) / 8 * 8 }
        /// Rows and row length of the zero-bordered copy of the input the taps read.
        var paddedRows: Int { (oh - 1) * stride + (kh - 1) * dilation + 1 }
        var paddedWidth: Int { columns * stride + (kw - 1) * dilation + 8 }
        /// Floats of scratch `plane` needs.
        public var scratchCount: Int { paddedRows * paddedWidth + columns }
    }

    /// True for the strides this kernel handles.
    public static func handles(stride: Int) -> Bool { stride == 1 || stride == 2 }

    /// `out` (`oh x ow`) = the convolution of `input` (`h x w`) with `taps`
    /// (`kh x kw`), no bias; `scratch` holds `geometry.scratchCount` floats.
    /// Each output sums its taps in row-major tap order.
    public static func plane(_ input: UnsafePointer<Float>, _ taps: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>,
                             _ g: Geometry, scratch: UnsafeMutablePointer<Float>) {
        precondition(handles(stride: g.stride))
        let pw = g.paddedWidth, padded = scratch, rowOut = scratch + g.paddedRows * pw
        pad(input, g, into: padded)
        for oy in 0..<g.oh {
            let top = padded + oy * g.stride * pw
            var ox = 0
            while ox < g.ow {
                var acc = Lanes()
                for i in 0..<g.kh {
                    let row = top + i * g.dilation * pw + ox * g.stride
                    for j in 0..<g.kw {
                        let p = UnsafeRawPointer(row + j * g.dilation)
                        let v = g.stride == 1 ? p.loadUnaligned(as: Lanes.self) : p.loadUnaligned(as: SIMD16<Float>.self).evenHalf
                        acc = acc.addingProduct(v, Lanes(repeating: taps[i * g.kw + j]))
                    }
                }
                if ox + 8 <= g.ow {
                    UnsafeMutableRawPointer(out + oy * g.ow + ox).storeBytes(of: acc, as: Lanes.self)
                } else {
                    UnsafeMutableRawPointer(rowOut).storeBytes(of: acc, as: Lanes.self)
                    (out + oy * g.ow + ox).update(from: rowOut, count: g.ow - ox)
                }
                ox += 8
            }
        }
    }

    /// Writes the zero-bordered copy of `input` the taps read: padded row r is
    /// input row r - padTop, column q is input column q - padLeft.
    static func pad(_ input: UnsafePointer<Float>, _ g: Geometry, into padded: UnsafeMutablePointer<Float>) {
        let pw = g.paddedWidth
        for r in 0..<g.paddedRows {
            let dst = padded + r * pw, iy = r - g.padTop
            guard iy >= 0 && iy < g.h else { dst.update(repeating: 0, count: pw); continue }
            let lead = min(g.padLeft, pw), copy = max(0, min(g.w, pw - g.padLeft))
            dst.update(repeating: 0, count: lead)
            (dst + lead).update(from: input + iy * g.w, count: copy)
            (dst + lead + copy).update(repeating: 0, count: pw - lead - copy)
        }
    }

    /// Floats of scratch `filterGradient` needs.
    public static func filterGradientScratchCount(_ g: Geometry) -> Int { g.paddedRows * g.paddedWidth + g.oh * g.columns }

    /// Adds to `lanes` (`kh x kw` vectors of eight floats, tap-major) the
    /// output gradient `gy` (`oh x ow`) times the input value each tap read,
    /// eight outputs a lane: the filter's gradient of the plane, before its
    /// lanes are summed (`sumLanes`), so that many planes of one filter add
    /// up without a horizontal sum each. Four output rows at a time in four
    /// accumulators. `scratch` holds `filterGradientScratchCount(g)` floats.
    public static func filterGradient(_ input: UnsafePointer<Float>, _ gy: UnsafePointer<Float>, lanes: UnsafeMutablePointer<Float>,
                                      _ g: Geometry, scratch: UnsafeMutablePointer<Float>) {
        precondition(handles(stride: g.stride))
        let pw = g.paddedWidth, cols = g.columns, padded = scratch, grad = scratch + g.paddedRows * pw
        pad(input, g, into: padded)
        // The output gradient with rows widened to whole vectors, zeros past ow.
        for oy in 0..<g.oh {
            (grad + oy * cols).update(from: gy + oy * g.ow, count: g.ow)
            (grad + oy * cols + g.ow).update(repeating: 0, count: cols - g.ow)
        }
        @inline(__always) func product(_ row: UnsafePointer<Float>, _ gRow: UnsafePointer<Float>, _ ox: Int) -> (Lanes, Lanes) {
            let p = UnsafeRawPointer(row + ox * g.stride)
            let v = g.stride == 1 ? p.loadUnaligned(as: Lanes.self) : p.loadUnaligned(as: SIMD16<Float>.self).evenHalf
            return (UnsafeRawPointer(gRow + ox).loadUnaligned(as: Lanes.self), v)
        }
        let rowStep = g.stride * pw, wholeRows = g.oh / 4 * 4
        for i in 0..<g.kh {
            for j in 0..<g.kw {
                let first = UnsafePointer(padded + i * g.dilation * pw + j * g.dilation), gFirst = UnsafePointer(grad)
                var a0 = Lanes(), a1 = Lanes(), a2 = Lanes(), a3 = Lanes()
                for oy in stride(from: 0, to: wholeRows, by: 4) {
                    let row = first + oy * rowStep, gRow = gFirst + oy * cols
                    for ox in stride(from: 0, to: cols, by: 8) {
                        let (g0, x0) = product(row, gRow, ox), (g1, x1) = product(row + rowStep, gRow + cols, ox)
                        let (g2, x2) = product(row + 2 * rowStep, gRow + 2 * cols, ox), (g3, x3) = product(row + 3 * rowStep, gRow + 3 * cols, ox)
                        a0 = a0.addingProduct(g0, x0); a1 = a1.addingProduct(g1, x1)
                        a2 = a2.addingProduct(g2, x2); a3 = a3.addingProduct(g3, x3)
                    }
                }
                for oy in wholeRows..<g.oh {
                    for ox in stride(from: 0, to: cols, by: 8) {
                        let (gv, xv) = product(first + oy * rowStep, gFirst + oy * cols, ox)
                        a0 = a0.addingProduct(gv, xv)
                    }
                }
                let slot = UnsafeMutableRawPointer(lanes + (i * g.kw + j) * 8)
                slot.storeBytes(of: slot.loadUnaligned(as: Lanes.self) + ((a0 + a1) + (a2 + a3)), as: Lanes.self)
            }
        }
    }

    /// Adds each of `taps` vectors of `lanes` (eight floats each), summed, to `sums`.
    public static func sumLanes(_ lanes: UnsafePointer<Float>, taps: Int, into sums: UnsafeMutablePointer<Float>) {
        for t in 0..<taps {
            let v = UnsafeRawPointer(lanes + t * 8).loadUnaligned(as: Lanes.self)
            let four = v.lowHalf + v.highHalf, two = four.lowHalf + four.highHalf
            sums[t] += two[0] + two[1]
        }
    }

    /// The geometry of the input gradient as a stride-1 convolution: the output
    /// gradient, spread out by the stride (zeros between), convolved with the
    /// taps turned half round gives `h x w`. Nil when a padding exceeds the
    /// kernel's reach ((k - 1) * dilation), which no such convolution needs.
    public static func inputGradientGeometry(_ g: Geometry) -> Geometry? {
        let top = (g.kh - 1) * g.dilation - g.padTop, left = (g.kw - 1) * g.dilation - g.padLeft
        guard top >= 0 && left >= 0 else { return nil }
        return Geometry(h: (g.oh - 1) * g.stride + 1, w: (g.ow - 1) * g.stride + 1, kh: g.kh, kw: g.kw, stride: 1,
                        dilation: g.dilation, padTop: top, padLeft: left, oh: g.h, ow: g.w)
    }

    /// Floats of scratch `inputGradient` needs (nil geometry: not supported).
    public static func inputGradientScratchCount(_ g: Geometry) -> Int? {
        guard let t = inputGradientGeometry(g) else { return nil }
        return t.h * t.w + g.kh * g.kw + t.scratchCount
    }

    /// `dx` (`h x w`) = the input gradient of the plane's convolution for the
    /// output gradient `gy` (`oh x ow`), overwritten. Needs
    /// `inputGradientGeometry(g)` (not nil) and `inputGradientScratchCount(g)`
    /// floats of scratch.
    public static func inputGradient(_ gy: UnsafePointer<Float>, _ taps: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>,
                                     _ g: Geometry, scratch: UnsafeMutablePointer<Float>) {
        guard let t = inputGradientGeometry(g) else { preconditionFailure("padding beyond the kernel's reach") }
        let spread = scratch, turned = scratch + t.h * t.w, rest = turned + g.kh * g.kw
        let kk = g.kh * g.kw
        for k in 0..<kk { turned[k] = taps[kk - 1 - k] }
        var source = gy
        if g.stride > 1 {
            spread.update(repeating: 0, count: t.h * t.w)
            for oy in 0..<g.oh {
                for ox in 0..<g.ow { spread[oy * g.stride * t.w + ox * g.stride] = gy[oy * g.ow + ox] }
            }
            source = UnsafePointer(spread)
        }
        plane(source, turned, dx, t, scratch: rest)
    }
}
