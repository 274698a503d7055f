/// Depthwise convolutions (one filter per channel) of planes narrower than a
/// vector, with the channels innermost: a vector holds eight channels at one
/// position, so no lane is spent past a plane's edge and no plane is padded
/// (`DepthwiseConv` runs eight columns a vector and pads each plane, which on
/// a 2x2 plane with a 5x5 filter is mostly zeros). Positions are row-major;
/// channels are rounded up to whole vectors (`paddedChannels`), the extra
/// ones zero. Call it only on CPUs with `KernelRequirements.cpuFlags`.
public enum DepthwiseChannelsLast {
    /// Channels rounded up to whole vectors.
    public static func paddedChannels(_ channels: Int) -> Int { (channels + 7) / 8 * 8 }

    /// `out[p * cp + ch] = planes[ch * positions + p]`, zeros for `channels <= ch < cp`.
    public static func toChannelsLast(_ planes: UnsafePointer<Float>, channels: Int, positions: Int, _ out: UnsafeMutablePointer<Float>) {
        let cp = paddedChannels(channels)
        for p in 0..<positions {
            let row = out + p * cp
            for ch in 0..<channels { row[ch] = planes[ch * positions + p] }
            (row + channels).update(repeating: 0, count: cp - channels)
        }
    }

    /// `planes[ch * positions + p] = rows[p * cp + ch]` for `ch < channels`.
    public static func fromChannelsLast(_ rows: UnsafePointer<Float>, channels: Int, positions: Int, _ planes: UnsafeMutablePointer<Float>) {
        let cp = paddedChannels(channels)
        for ch in 0..<channels {
            let plane = planes + ch * positions
            for p in 0..<positions { plane[p] = rows[p * cp + ch] }
        }
    }

    /// Calls `body(tap, inputPosition)` for the taps of output `(oy, ox)` that
    /// read inside the input, in row-major tap order.
    @inline(__always)
    static func forEachTap(_ g: DepthwiseConv.Geometry, _ oy: Int, _ ox: Int, _ body: (Int, Int) -> Void) {
        for i in 0..<g.kh {
            let iy = oy * g.stride - g.padTop + i * g.dilation
            guard iy >= 0 && iy < g.h else { continue }
            for j in 0..<g.kw {
                let ix = ox * g.stride - g.padLeft + j * g.dilation
                guard ix >= 0 && ix < g.w else { continue }
                body(i * g.kw + j, iy * g.w + ix)
            }
        }
    }

    /// `y` (`oh * ow` rows of `cp`) = the convolution of `x` (`h * w` rows of
    /// `cp`) with `taps` (`kh * kw` rows of `cp`), no bias.
    public static func forward(_ x: UnsafePointer<Float>, taps: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>,
                               _ g: DepthwiseConv.Geometry, paddedChannels cp: Int) {
        for oy in 0..<g.oh {
            for ox in 0..<g.ow {
                let out = y + (oy * g.ow + ox) * cp
                out.update(repeating: 0, count: cp)
                forEachTap(g, oy, ox) { t, p in
                    let w = taps + t * cp, input = x + p * cp
                    for cb in stride(from: 0, to: cp, by: 8) { LaneMath.store(LaneMath.load(out + cb).addingProduct(LaneMath.load(w + cb), LaneMath.load(input + cb)), out + cb) }
                }
            }
        }
    }

    /// The gradients of `forward` for the output gradient `gy` (`oh * ow` rows
    /// of `cp`): adds to `dTaps` (`kh * kw` rows of `cp`) when given, and
    /// overwrites `dx` (`h * w` rows of `cp`) when given.
    public static func backward(_ x: UnsafePointer<Float>, _ gy: UnsafePointer<Float>, taps: UnsafePointer<Float>,
                                dTaps: UnsafeMutablePointer<Float>?, dx: UnsafeMutablePointer<Float>?,
                                _ g: DepthwiseConv.Geometry, paddedChannels cp: Int) {
        dx?.update(repeating: 0, count: g.h * g.w * cp)
        for oy in 0..<g.oh {
            for ox in 0..<g.ow {
                let grad = gy + (oy * g.ow + ox) * cp
                forEachTap(g, oy, ox) { t, p in
                    if let dTaps {
                        let dw = dTaps + t * cp, input = x + p * cp
                        for cb in stride(from: 0, to: cp, by: 8) { LaneMath.store(LaneMath.load(dw + cb).addingProduct(LaneMath.load(grad + cb), LaneMath.load(input + cb)), dw + cb) }
                    }
                    if let dx {
                        let d = dx + p * cp, w = taps + t * cp
                        for cb in stride(from: 0, to: cp, by: 8) { LaneMath.store(LaneMath.load(d + cb).addingProduct(LaneMath.load(w + cb), LaneMath.load(grad + cb)), d + cb) }
                    }
                }
            }
        }
    }
}
