/// How a mask window is downscaled.
public enum MaskReduce: String, Sendable, Codable {
    /// The top-left pixel of each block (what cv2.INTER_NEAREST picks for integer factors).
    case nearest
    /// The block mean of 0/`value` pixels, rounded half up (a soft mask).
    case area
}

extension RLEMask {
    /// Rasterises the window (x, y, width, height) into `width * height` bytes (row-major): `value` where
    /// the mask is set, 0 elsewhere and outside the image. Cost is proportional to the runs crossing
    /// the window's columns, memory to the window.
    public func window(x: Int, y: Int, width w: Int, height h: Int, value: UInt8 = 1) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: max(0, w * h))
        guard w > 0, h > 0 else { return out }
        let x0 = max(x, 0), x1 = min(x + w, width), y0 = max(y, 0), y1 = min(y + h, height)
        guard x0 < x1, y0 < y1 else { return out }
        let H = height
        let first = firstRun(endingAfter: x0 * H)
        out.withUnsafeMutableBufferPointer { buf in
            var i = first
            while i < runs.count, runs[i].lowerBound < x1 * H {
                let run = runs[i]
                let c0 = max(run.lowerBound / H, x0), c1 = min((run.upperBound - 1) / H, x1 - 1)
                if c0 <= c1 {
                    for c in c0...c1 {
                        let top = c == run.lowerBound / H ? run.lowerBound % H : 0
                        let bottom = c == (run.upperBound - 1) / H ? (run.upperBound - 1) % H + 1 : H
                        let r0 = max(top, y0), r1 = min(bottom, y1)
                        if r0 < r1 {
                            for r in r0..<r1 { buf[(r - y) * w + (c - x)] = value }
                        }
                    }
                }
                i += 1
            }
        }
        return out
    }

    /// The window downscaled by `reduce` (width and height multiples of it) with `mode`. Nearest samples
    /// the runs directly (cost proportional to the sampled columns' runs, memory to the output); area
    /// rasterises the full-resolution window first.
    public func window(x: Int, y: Int, width w: Int, height h: Int, reduce: Int, mode: MaskReduce = .nearest,
                       value: UInt8 = 1) -> [UInt8] {
        precondition(reduce >= 1 && w % reduce == 0 && h % reduce == 0, "window must be a multiple of reduce")
        if mode == .nearest { return sampled(x: x, y: y, width: w / reduce, height: h / reduce, step: reduce, value: value) }
        let full = window(x: x, y: y, width: w, height: h, value: value)
        return MaskDownscale.apply(full, width: w, height: h, reduce: reduce, mode: mode)
    }

    /// `width * height` samples (row-major) of the pixels (x + i * step, y + j * step): `value` where set.
    private func sampled(x: Int, y: Int, width w: Int, height h: Int, step: Int, value: UInt8) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: max(0, w * h))
        guard w > 0, h > 0 else { return out }
        let H = height, yEnd = min(y + h * step, H)
        out.withUnsafeMutableBufferPointer { buf in
            for i in 0..<w {
                let c = x + i * step
                guard c >= 0, c < width else { continue }
                var k = firstRun(endingAfter: c * H + max(y, 0))
                while k < runs.count, runs[k].lowerBound < c * H + yEnd {
                    let r0 = max(runs[k].lowerBound - c * H, y, 0), r1 = min(runs[k].upperBound - c * H, yEnd)
                    var row = y + (r0 - y + step - 1) / step * step   // first sampled row at or after r0
                    while row < r1 {
                        buf[(row - y) / step * w + i] = value
                        row += step
                    }
                    k += 1
                }
            }
        }
        return out
    }

    /// Index of the first run whose end is after `pixel` (binary search).
    private func firstRun(endingAfter pixel: Int) -> Int {
        var lo = 0, hi = runs.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if runs[mid].upperBound <= pixel { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }
}

/// Downscaling of single-channel mask windows.
public enum MaskDownscale {
    public static func apply(_ full: [UInt8], width w: Int, height h: Int, reduce r: Int, mode: MaskReduce) -> [UInt8] {
        if r == 1 { return full }
        let ow = w / r, oh = h / r
        switch mode {
        case .nearest:
            var out = [UInt8](repeating: 0, count: ow * oh)
            for oy in 0..<oh { for ox in 0..<ow { out[oy * ow + ox] = full[(oy * r) * w + ox * r] } }
            return out
        case .area:
            var out = [UInt8](repeating: 0, count: ow * oh)
            full.withUnsafeBufferPointer { src in
                out.withUnsafeMutableBufferPointer { dst in
                    AreaReduce.channels(src.baseAddress!, width: w, rows: h, channels: 1, reduce: r, into: dst.baseAddress!)
                }
            }
            return out
        }
    }
}
