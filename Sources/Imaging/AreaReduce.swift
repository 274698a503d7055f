import Foundation

/// Exact area-average downscaling: each output value is the sum of its `reduce` x `reduce` input
/// block divided by the block size, rounded half up: `(sum + n/2) / n` in integers, `n = reduce^2`.
public enum AreaReduce {
    /// Reduces `rows` rows of an interleaved RGB image `width` pixels wide (both multiples of
    /// `reduce`) into `out` (`width/reduce * 3` bytes a row).
    public static func rgb(_ input: UnsafePointer<UInt8>, width: Int, rows: Int, reduce: Int,
                           into out: UnsafeMutablePointer<UInt8>) {
        channels(input, width: width, rows: rows, channels: 3, reduce: reduce, into: out)
    }

    /// As `rgb`, for `channels` interleaved channels (1 for masks).
    public static func channels(_ input: UnsafePointer<UInt8>, width: Int, rows: Int, channels: Int, reduce: Int,
                                into out: UnsafeMutablePointer<UInt8>) {
        reduceRows(input, width: width, channels: channels, reduce: reduce, outRows: 0..<(rows / reduce), into: out)
    }

    private static func reduceRows(_ input: UnsafePointer<UInt8>, width: Int, channels c: Int, reduce r: Int,
                                   outRows: Range<Int>, into out: UnsafeMutablePointer<UInt8>) {
        let outWidth = width / r
        let rowValues = outWidth * c
        let sums = UnsafeMutablePointer<UInt32>.allocate(capacity: rowValues)
        defer { sums.deallocate() }
        let n = UInt32(r * r), half = n / 2
        for oy in outRows {
            sums.initialize(repeating: 0, count: rowValues)
            for dy in 0..<r {
                let row = input + (oy * r + dy) * width * c
                if c == 3 { accumulate3(row, outWidth: outWidth, reduce: r, sums: sums) } else {
                    for ox in 0..<outWidth {
                        for dx in 0..<r { for k in 0..<c { sums[ox * c + k] &+= UInt32(row[(ox * r + dx) * c + k]) } }
                    }
                }
            }
            let dst = out + oy * rowValues
            for i in 0..<rowValues { dst[i] = UInt8(truncatingIfNeeded: (sums[i] &+ half) / n) }
        }
    }

    @inline(__always)
    private static func accumulate3(_ row: UnsafePointer<UInt8>, outWidth: Int, reduce r: Int, sums: UnsafeMutablePointer<UInt32>) {
        var p = row
        for ox in 0..<outWidth {
            var s0: UInt32 = 0, s1: UInt32 = 0, s2: UInt32 = 0
            for _ in 0..<r {
                s0 &+= UInt32(p[0]); s1 &+= UInt32(p[1]); s2 &+= UInt32(p[2])
                p += 3
            }
            sums[ox * 3] &+= s0; sums[ox * 3 + 1] &+= s1; sums[ox * 3 + 2] &+= s2
        }
    }
}
