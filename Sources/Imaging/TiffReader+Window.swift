import Foundation
import Synchronization

extension TiffReader {
    /// Reads the window (x, y, width, height) of the level, in level pixels, area-averaged by `reduce`
    /// into RGB uint8 (row-major, interleaved), `width/reduce` x `height/reduce` pixels. Each output
    /// value is the sum of its `reduce` x `reduce` block divided by the block size, rounded half up.
    /// Pixels outside the image read as 0 (the window may extend past any edge). Gray images are
    /// replicated to RGB, alpha is dropped. `width` and `height` must be multiples of `reduce`.
    /// Decodes up to `threads` tiles at once.
    public func readWindow(x: Int, y: Int, width: Int, height: Int, reduce: Int = 1,
                           threads: Int = ProcessInfo.processInfo.activeProcessorCount) throws(ImagingError) -> [UInt8] {
        let count = try checkWindow(x: x, y: y, width: width, height: height, reduce: reduce)
        var failure: ImagingError? = nil
        let out = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            do throws(ImagingError) {
                try readWindow(x: x, y: y, width: width, height: height, reduce: reduce, threads: threads, into: buffer)
            } catch {
                failure = error
                buffer.initialize(repeating: 0)
            }
            initialized = count
        }
        if let failure { throw failure }
        return out
    }

    /// As `readWindow(x:y:width:height:reduce:threads:)`, into a caller-provided buffer of at least
    /// `(width/reduce) * (height/reduce) * 3` bytes.
    public func readWindow(x: Int, y: Int, width: Int, height: Int, reduce: Int = 1,
                           threads: Int = ProcessInfo.processInfo.activeProcessorCount,
                           into out: UnsafeMutableBufferPointer<UInt8>) throws(ImagingError) {
        let count = try checkWindow(x: x, y: y, width: width, height: height, reduce: reduce)
        guard out.count >= count, let base = out.baseAddress else {
            throw ImagingError(.invalidArgument, "output buffer holds \(out.count) bytes, the window needs \(count)", path: path)
        }
        if reduce == 1 {
            base.initialize(repeating: 0, count: count)
            try decode(into: base, x: x, width: width, rows: y..<(y + height), threads: threads)
            return
        }
        do {
            try readReduced(x: x, y: y, width: width, height: height, reduce: reduce, threads: threads) { first, rows in
                (base + first * (width / reduce) * 3).update(from: rows.baseAddress!, count: rows.count)
            }
        } catch {
            throw error as? ImagingError ?? ImagingError(.io, "\(error)", path: path)
        }
    }

    /// The output byte count of a window request, after `ImageSummary.checkWindow`'s checks and a
    /// side of at most 2^24 pixels.
    func checkWindow(x: Int, y: Int, width: Int, height: Int, reduce: Int) throws(ImagingError) -> Int {
        guard reduce >= 1, width > 0, height > 0 else {
            throw ImagingError(.invalidArgument, "window \(width) x \(height) at reduce \(reduce) is empty or invalid", path: path)
        }
        guard reduce <= 256 else {
            throw ImagingError(.invalidArgument, "reduce \(reduce) is above the largest supported, 256", path: path)
        }
        guard width <= 1 << 24, height <= 1 << 24 else {
            throw ImagingError(.tooLarge, "window \(width) x \(height) is too large; read it in smaller windows", path: path)
        }
        return try ImageSummary.checkWindow(x: x, y: y, width: width, height: height, reduce: reduce, path: path)
    }
}
