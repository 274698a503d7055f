/// A depthwise convolution of one channel plane (one input plane, one kh x kw
/// filter), eight outputs at a time with every tap accumulated in registers.
/// Stride 1 reads contiguous vectors; stride 2 reads sixteen floats and keeps
/// the even ones. Call it only on CPUs with `KernelRequirements.cpuFlags`.
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
        // Zero-bordered copy: padded row r is input row r - padTop, column q is input column q - padLeft.
        for r in 0..<g.paddedRows {
            let dst = padded + r * pw, iy = r - g.padTop
            guard iy >= 0 && iy < g.h else { dst.update(repeating: 0, count: pw); continue }
            let lead = min(g.padLeft, pw), copy = max(0, min(g.w, pw - g.padLeft))
            dst.update(repeating: 0, count: lead)
            (dst + lead).update(from: input + iy * g.w, count: copy)
            (dst + lead + copy).update(repeating: 0, count: pw - lead - copy)
        }
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
}
