import CPNG
import Foundation

/// An 8-bit image in memory: `channels` interleaved samples per pixel, row-major.
public struct PixelImage: Sendable, Equatable {
    public var width: Int
    public var height: Int
    public var channels: Int
    public var pixels: [UInt8]

    public init(width: Int, height: Int, channels: Int, pixels: [UInt8]) {
        precondition(pixels.count == width * height * channels, "pixel count does not match the size")
        self.width = width
        self.height = height
        self.channels = channels
        self.pixels = pixels
    }
}

/// PNG reading and writing through libpng, row by row.
public enum PNGFile {
    /// Reads `path` as RGB (`channels: 3`) or gray (`channels: 1`): palettes are expanded, 16-bit
    /// samples reduced to 8, alpha dropped, gray replicated to RGB, RGB turned to gray by taking the
    /// maximum channel (so a colour-coded mask stays a mask). Throws naming the file when it is not a PNG.
    public static func read(path: String, channels: Int = 3) throws(ImagingError) -> PixelImage {
        try readRows(path: path, channels: channels) { _, _ in }
    }

    /// Streams rows of `path` converted to `channels` to `row(y, bytes)`; returns the image only when
    /// `keep` is true (otherwise `pixels` is empty), so a huge mask can be consumed a row at a time.
    @discardableResult
    public static func readRows(path: String, channels: Int, keep: Bool = true,
                                _ row: (Int, UnsafeBufferPointer<UInt8>) throws(ImagingError) -> Void) throws(ImagingError) -> PixelImage {
        let s = UnsafeMutablePointer<cpng_stream>.allocate(capacity: 1)
        defer { cpng_close(s, 0); s.deallocate() }
        guard cpng_read_open(s, path) == 0 else { throw failure(s, path, reading: true) }
        let w = Int(s.pointee.width), h = Int(s.pointee.height), n = Int(s.pointee.channels)
        try checkDecodable(s, path: path, keep: keep, channels: channels)
        var all: [UInt8] = []
        if keep { all.reserveCapacity(w * h * channels) }
        var raw = [UInt8](repeating: 0, count: s.pointee.interlaced != 0 ? w * h * n : w * n)
        var converted = [UInt8](repeating: 0, count: w * channels)
        if s.pointee.interlaced != 0 {
            let ok = raw.withUnsafeMutableBufferPointer { buf -> Int32 in
                var rows: [UnsafeMutablePointer<UInt8>?] = (0..<h).map { buf.baseAddress! + $0 * w * n }
                return cpng_read_all(s, &rows)
            }
            guard ok == 0 else { throw failure(s, path, reading: true) }
        }
        for y in 0..<h {
            let offset = s.pointee.interlaced != 0 ? y * w * n : 0
            if s.pointee.interlaced == 0 {
                guard cpng_read_row(s, &raw) == 0 else { throw failure(s, path, reading: true) }
            }
            convert(raw, offset: offset, width: w, from: n, to: channels, into: &converted)
            if keep { all.append(contentsOf: converted) }
            try converted.withUnsafeBufferPointer { (b) throws(ImagingError) in try row(y, b) }
        }
        return PixelImage(width: keep ? w : 0, height: keep ? h : 0, channels: channels, pixels: all)
    }

    /// Checks, before anything is allocated, that decoding the open stream `s` stays within budget:
    /// the size within `ImageLimits` (and 2^20 a side), the buffers held at once (the whole image when
    /// kept or interlaced, else a row) within `ImageLimits.maxBytes`, and the size plausible for the
    /// file: deflate expands at most 1032-fold, so pixel data larger than 1100x the file cannot be
    /// in it (a damaged header claiming a huge image is refused instead of decoded into memory).
    static func checkDecodable(_ s: UnsafeMutablePointer<cpng_stream>, path: String, keep: Bool, channels: Int) throws(ImagingError) {
        let w = Int(s.pointee.width), h = Int(s.pointee.height), n = Int(s.pointee.channels)
        let pixels = try ImageLimits.pixels(w, h, field: "PNG header size", path: path)
        guard w <= 1 << 20, h <= 1 << 20 else {
            throw ImagingError(.tooLarge, "PNG header size \(w) x \(h) is over the largest side pipe decodes, 1048576", path: path)
        }
        guard channels == 1 || channels == 3 else {
            throw ImagingError(.invalidArgument, "PNG can be read as 1 or 3 channels, not \(channels)", path: path)
        }
        let interlaced = s.pointee.interlaced != 0
        let wholeImage = max(keep ? channels : 0, interlaced ? n : 0)
        if wholeImage > 0 {
            _ = try ImageLimits.bytes(pixels, wholeImage, field: "PNG of \(w) x \(h) pixels", path: path)
        }
        let fileSize = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? Int.max
        let storedRow = (w * Int(s.pointee.stored_bits) + 7) / 8
        let (stored, overflow) = storedRow.multipliedReportingOverflow(by: h)
        guard !overflow, fileSize >= Int.max / maxDeflateRatio || stored <= fileSize * maxDeflateRatio else {
            throw ImagingError(.corrupt, "PNG header size \(w) x \(h) needs \(stored) bytes of pixel data, more than a \(fileSize)-byte file can hold; the file is damaged", path: path)
        }
    }

    /// More than deflate's largest expansion (about 1032:1), so a valid PNG is never refused.
    static let maxDeflateRatio = 1100

    /// Width and height from the header, checked as `readRows(path:channels:keep:)` with `keep: false`
    /// checks them (budgets, plausibility for the file size), so callers may allocate per row or column.
    public static func size(path: String) throws(ImagingError) -> (width: Int, height: Int) {
        let s = UnsafeMutablePointer<cpng_stream>.allocate(capacity: 1)
        defer { cpng_close(s, 0); s.deallocate() }
        guard cpng_read_open(s, path) == 0 else { throw failure(s, path, reading: true) }
        try checkDecodable(s, path: path, keep: false, channels: 1)
        return (Int(s.pointee.width), Int(s.pointee.height))
    }

    /// What a PNG's header says: its size, samples per pixel after palette expansion (1 gray, 2 gray +
    /// alpha, 3 RGB, 4 RGBA) and its stored colour type ("gray", "gray+alpha", "palette", "rgb", "rgba").
    public static func header(path: String) throws(ImagingError) -> (width: Int, height: Int, channels: Int, colorType: String) {
        let s = UnsafeMutablePointer<cpng_stream>.allocate(capacity: 1)
        defer { cpng_close(s, 0); s.deallocate() }
        guard cpng_read_open(s, path) == 0 else { throw failure(s, path, reading: true) }
        let types: [Int32: String] = [0: "gray", 2: "rgb", 3: "palette", 4: "gray+alpha", 6: "rgba"]   // PNG_COLOR_TYPE_*
        return (Int(s.pointee.width), Int(s.pointee.height), Int(s.pointee.channels),
                types[s.pointee.color_type] ?? "type \(s.pointee.color_type)")
    }

    /// Writes an 8-bit gray (1), gray+alpha (2), RGB (3) or RGBA (4) PNG.
    public static func write(_ image: PixelImage, path: String, compressionLevel: Int = 6) throws(ImagingError) {
        try write(path: path, width: image.width, height: image.height, channels: image.channels,
                  compressionLevel: compressionLevel) { y, row in
            let start = y * image.width * image.channels
            for i in 0..<row.count { row[i] = image.pixels[start + i] }
        }
    }

    /// Writes a PNG row by row: `fill(y, row)` fills each row of `width * channels` bytes.
    public static func write(path: String, width: Int, height: Int, channels: Int, compressionLevel: Int = 6,
                             _ fill: (Int, UnsafeMutableBufferPointer<UInt8>) throws(ImagingError) -> Void) throws(ImagingError) {
        guard width > 0, height > 0, (1...4).contains(channels) else {
            throw ImagingError(.invalidArgument, "cannot write a \(width) x \(height) PNG with \(channels) channels", path: path)
        }
        _ = try ImageLimits.pixels(width, height, field: "PNG size", path: path)
        _ = try ImageLimits.bytes(width, channels, field: "PNG row of \(width) pixels", path: path)
        let s = UnsafeMutablePointer<cpng_stream>.allocate(capacity: 1)
        defer { cpng_close(s, 1); s.deallocate() }
        guard cpng_write_open(s, path, UInt32(width), UInt32(height), Int32(channels), Int32(compressionLevel)) == 0 else {
            throw failure(s, path, reading: false)
        }
        var row = [UInt8](repeating: 0, count: width * channels)
        for y in 0..<height {
            try row.withUnsafeMutableBufferPointer { (b) throws(ImagingError) in try fill(y, b) }
            guard cpng_write_row(s, row) == 0 else { throw failure(s, path, reading: false) }
        }
        guard cpng_write_end(s) == 0 else { throw failure(s, path, reading: false) }
    }

    private static func failure(_ s: UnsafeMutablePointer<cpng_stream>, _ path: String, reading: Bool) -> ImagingError {
        let message = withUnsafeBytes(of: &s.pointee.message) { raw in
            String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
        }
        if !FileManager.default.fileExists(atPath: path), reading {
            return ImagingError(.io, "no such file", path: path)
        }
        return ImagingError(reading ? .corrupt : .io, reading ? "not a readable PNG (\(message))" : "cannot write PNG (\(message))", path: path)
    }

    private static func convert(_ raw: [UInt8], offset: Int, width: Int, from n: Int, to c: Int, into out: inout [UInt8]) {
        for x in 0..<width {
            let p = offset + x * n
            if c == 1 {
                out[x] = n >= 3 ? max(raw[p], raw[p + 1], raw[p + 2]) : raw[p]
            } else if n >= 3 {
                out[x * 3] = raw[p]; out[x * 3 + 1] = raw[p + 1]; out[x * 3 + 2] = raw[p + 2]
            } else {
                out[x * 3] = raw[p]; out[x * 3 + 1] = raw[p]; out[x * 3 + 2] = raw[p]
            }
        }
    }
}
