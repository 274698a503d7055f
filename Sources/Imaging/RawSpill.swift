import Foundation

/// Temporary raw storage for what `TiffWriter` must write after the first page: the full image (for
/// page-per-channel files) and 2x-reduced pyramid levels, built band by band while streaming.
final class RawSpill {
    private let base: String
    private let width: Int
    private let height: Int
    private let keepPlanes: Int
    let channels: Int
    private var files: [Int: FileHandle] = [:]
    private var sizes: [Int: (Int, Int)] = [:]
    private var pending: [Int: [UInt8]] = [:]
    private let levels: Int
    private let path: String

    init(width: Int, height: Int, channels: Int, levels: Int, keepPlanes: Bool, path: String) throws(ImagingError) {
        self.channels = channels
        self.width = width
        self.height = height
        self.levels = levels
        self.keepPlanes = keepPlanes ? 1 : 0
        self.path = path
        base = path + ".spill-\(UInt32.random(in: 0...UInt32.max))"
        var w = width, h = height
        sizes[0] = (w, h)
        for level in 1...max(1, levels) where levels > 0 {
            w = max(1, w / 2); h = max(1, h / 2)
            sizes[level] = (w, h)
        }
        for level in (keepPlanes ? 0 : 1)...levels {
            let file = base + ".\(level)"
            guard FileManager.default.createFile(atPath: file, contents: nil), let fh = FileHandle(forUpdatingAtPath: file) else {
                throw ImagingError(.io, "cannot create temporary file '\(file)'", path: path)
            }
            files[level] = fh
            pending[level] = []
        }
    }

    func size(level: Int) -> (Int, Int) { sizes[level]! }

    /// Appends full-resolution rows (3 or 1 channels interleaved, `width` wide) and their reductions.
    func append(_ rows: UnsafePointer<UInt8>, rows count: Int) throws(ImagingError) {
        var data = Array(UnsafeBufferPointer(start: rows, count: count * width * channels))
        if keepPlanes == 1 { try write(level: 0, data) }
        var w = width
        for level in 1...max(1, levels) where levels > 0 {
            var carry = pending[level]! + data
            let rowBytes = w * channels
            let pairs = carry.count / (rowBytes * 2)
            let (lw, _) = sizes[level]!
            var reduced = [UInt8](repeating: 0, count: pairs * lw * channels)
            if pairs > 0 {
                carry.withUnsafeBufferPointer { src in
                    reduced.withUnsafeMutableBufferPointer { dst in
                        reducePairs(src.baseAddress!, width: w, pairs: pairs, outWidth: lw, into: dst.baseAddress!)
                    }
                }
            }
            pending[level] = Array(carry[(pairs * rowBytes * 2)...])
            carry = []
            try write(level: level, reduced)
            data = reduced
            w = lw
        }
    }

    /// 2x2 area mean (rounded half up) of `pairs` row pairs; an odd last column is dropped.
    private func reducePairs(_ src: UnsafePointer<UInt8>, width: Int, pairs: Int, outWidth: Int, into dst: UnsafeMutablePointer<UInt8>) {
        let c = channels
        for oy in 0..<pairs {
            let r0 = src + (oy * 2) * width * c, r1 = r0 + width * c
            let d = dst + oy * outWidth * c
            for ox in 0..<outWidth {
                for k in 0..<c {
                    let i = ox * 2 * c + k
                    let s = UInt32(r0[i]) + UInt32(r0[i + c]) + UInt32(r1[i]) + UInt32(r1[i + c])
                    d[ox * c + k] = UInt8((s + 2) / 4)
                }
            }
        }
    }

    private func write(level: Int, _ bytes: [UInt8]) throws(ImagingError) {
        guard !bytes.isEmpty else { return }
        do { try files[level]!.write(contentsOf: bytes) } catch {
            throw ImagingError(.io, "cannot write temporary file (\(error.localizedDescription))", path: path)
        }
    }

    func finish() throws(ImagingError) {
        for fh in files.values { try? fh.synchronize() }
    }

    /// Reads a level back in bands of `bandRows` rows (RGB interleaved).
    func readBands(level: Int, bandRows: Int, _ body: (UnsafePointer<UInt8>, Int, Int) throws(ImagingError) -> Void) throws(ImagingError) {
        let (w, h) = sizes[level]!
        let fh = files[level]!
        do { try fh.seek(toOffset: 0) } catch { throw ImagingError(.io, "cannot read temporary file", path: path) }
        var y = 0
        while y < h {
            let rows = min(bandRows, h - y)
            let want = rows * w * channels
            let data: Data
            do { data = try fh.read(upToCount: want) ?? Data() } catch {
                throw ImagingError(.io, "cannot read temporary file (\(error.localizedDescription))", path: path)
            }
            guard data.count == want else { throw ImagingError(.io, "temporary file is short", path: path) }
            let bytes = [UInt8](data)
            try bytes.withUnsafeBufferPointer { (buf) throws(ImagingError) in try body(buf.baseAddress!, y, rows) }
            y += rows
        }
    }

    func remove() {
        for (level, fh) in files {
            try? fh.close()
            try? FileManager.default.removeItem(atPath: base + ".\(level)")
        }
        files = [:]
    }
}
