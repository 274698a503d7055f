import Foundation

/// What `pipe image info` prints for a TIFF or PNG file, in text or JSON with the stable keys
/// `width height channels layout tiled tile_width tile_height compression bigtiff levels` (+ more).
public struct ImageSummary: Sendable {
    public var path: String
    public var format: String
    public var width: Int
    public var height: Int
    public var channels: Int
    public var layout: String
    public var tiled: Bool
    public var tileWidth: Int
    public var tileHeight: Int
    public var compression: String
    public var bigTIFF: Bool
    public var pages: Int
    public var photometric: String
    public var predictor: Int
    public var levels: [[Int]]
    /// Bits per stored sample.
    public var bitsPerSample = 8
    /// Directories of a pyramid file that are not levels: where, size and why.
    public var skipped: [TiffSkippedDirectory] = []
    /// Why pipe cannot decode the file (it is still described), or nil.
    public var problem: String? = nil

    /// Reads headers of `path` (TIFF, PNG or JPEG, by content). Throws naming the file otherwise.
    /// `channels` is what the pipeline gets (1 for gray, 3 for colour; alpha dropped; 0 when pipe
    /// cannot decode the file, which `problem` explains) and `photometric` the stored colour type.
    public static func of(path: String) throws(ImagingError) -> ImageSummary {
        let kind = try format(path)
        if kind == .jpeg {
            let h = try JPEGFile.header(path: path)
            let photometric = h.components == 1 ? "gray" : h.components == 4 ? "cmyk" : h.jfif ? "ycbcr" : "rgb"
            return ImageSummary(path: path, format: "jpeg", width: h.width, height: h.height,
                                channels: h.components == 1 ? 1 : h.components == 3 ? 3 : 0, layout: "contig", tiled: false,
                                tileWidth: h.width, tileHeight: h.height, compression: "jpeg", bigTIFF: false, pages: 1,
                                photometric: photometric, predictor: 0, levels: [[h.width, h.height]],
                                problem: h.components == 4 ? "JPEG with 4 components (CMYK) is not supported" : nil)
        }
        if kind == .png {
            let header = try PNGFile.header(path: path)
            let (w, h) = (header.width, header.height)
            return ImageSummary(path: path, format: "png", width: w, height: h, channels: header.channels >= 3 ? 3 : 1,
                                layout: "contig", tiled: false, tileWidth: w, tileHeight: h, compression: "deflate",
                                bigTIFF: false, pages: 1, photometric: header.colorType, predictor: 0, levels: [[w, h]])
        }
        let info = try TiffReader.info(path: path)
        let l0 = info.levels[0]
        return ImageSummary(path: path, format: "tiff", width: info.width, height: info.height, channels: info.channels,
                            layout: info.layout.rawValue, tiled: l0.tiled, tileWidth: l0.chunkWidth, tileHeight: l0.chunkHeight,
                            compression: l0.compression.rawValue, bigTIFF: info.bigTIFF, pages: info.pages,
                            photometric: info.photometric, predictor: l0.predictor, levels: info.levels.map { [$0.width, $0.height] },
                            bitsPerSample: info.bitsPerSample, skipped: info.skipped,
                            problem: info.problem)
    }

    /// Reads a window of a TIFF (any level), PNG or JPEG as RGB at `reduce`; returns pixels and output
    /// size. The window is checked first (`checkWindow`); a PNG is streamed, holding only the window.
    /// `options` apply to TIFFs (window/level of 16-bit data, fill value of absent tiles).
    public static func window(path: String, level: Int, x: Int, y: Int, w: Int, h: Int, reduce: Int,
                              options: TiffReadOptions = .init()) throws(ImagingError) -> ([UInt8], Int, Int) {
        _ = try checkWindow(x: x, y: y, width: w, height: h, reduce: reduce, path: path)
        switch try format(path) {
        case .png:
            return (try InMemoryImage.pngWindow(path: path, x: x, y: y, w: w, h: h, reduce: reduce), w / reduce, h / reduce)
        case .jpeg:
            let image = try JPEGFile.read(path: path, channels: 3)
            let pixels = image.pixels.withUnsafeBufferPointer {
                InMemoryImage.window($0, width: image.width, height: image.height, x: x, y: y, w: w, h: h, reduce: reduce)
            }
            return (pixels, w / reduce, h / reduce)
        case .tiff: break
        }
        let reader = try TiffReader(path: path, level: level, options: options)
        return (try reader.readWindow(x: x, y: y, width: w, height: h, reduce: reduce), w / reduce, h / reduce)
    }

    /// Checks a window request before anything is computed or allocated: origin within
    /// `ImageLimits.maxOffset`, `reduce` 1...256 dividing both sides, the window within the pixel
    /// budget and its full-resolution RGB bytes within the byte budget. Returns the output byte count.
    public static func checkWindow(x: Int, y: Int, width: Int, height: Int, reduce: Int, path: String) throws(ImagingError) -> Int {
        guard (1...256).contains(reduce) else {
            throw ImagingError(.invalidArgument, "reduce \(reduce) must be 1 to 256", path: path)
        }
        try ImageLimits.origin(x: x, y: y, path: path)
        let pixels = try ImageLimits.pixels(width, height, field: "window", path: path)
        guard width % reduce == 0, height % reduce == 0 else {
            throw ImagingError(.invalidArgument, "window \(width) x \(height) is not a multiple of reduce \(reduce); round it to a multiple", path: path)
        }
        return try ImageLimits.bytes(pixels / (reduce * reduce), 3, field: "window \(width) x \(height) at reduce \(reduce)", path: path)
    }

    enum Format { case png, jpeg, tiff }

    /// The file's format from its first bytes: the PNG signature, a JPEG SOI marker (`FF D8 FF`), or a
    /// TIFF/BigTIFF header (`II*`, `MM*`, `II+`, `MM+`). Throws naming the file when it is missing or none.
    static func format(_ path: String) throws(ImagingError) -> Format {
        guard let fh = FileHandle(forReadingAtPath: path) else {
            throw ImagingError(.io, FileManager.default.fileExists(atPath: path) ? "cannot read file" : "no such file", path: path)
        }
        defer { try? fh.close() }
        let head = [UInt8]((try? fh.read(upToCount: 8)) ?? Data())
        if head.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .png }
        if head.starts(with: [0xFF, 0xD8, 0xFF]) { return .jpeg }
        if [[0x49, 0x49, 42, 0], [0x4D, 0x4D, 0, 42], [0x49, 0x49, 43, 0], [0x4D, 0x4D, 0, 43]].contains(where: head.starts) {
            return .tiff
        }
        let start = head.isEmpty ? "it is empty" : "it starts with " + head.prefix(4).map { String(format: "%02x", $0) }.joined(separator: " ")
        throw ImagingError(.unsupported, "not a PNG, JPEG or TIFF file (\(start))", path: path)
    }

    public var text: String {
        let depth = bitsPerSample == 8 ? "" : ", \(bitsPerSample)-bit"
        let stored = layout == TiffLayout.pagePerChannel.rawValue ? "a \(photometric) page per channel" : photometric
        let size = problem == nil ? "\(channels) channel\(channels == 1 ? "" : "s") (\(stored)\(depth))"
                                  : "\(photometric)\(depth)"
        var lines = """
        \(path)
          format:      \(format)\(bigTIFF ? " (BigTIFF)" : "")
          size:        \(width) x \(height), \(size)
          layout:      \(layout), \(pages) page\(pages == 1 ? "" : "s")
          storage:     \(tiled ? "tiled \(tileWidth) x \(tileHeight)" : "striped, \(tileHeight) rows per strip")
          compression: \(compression)\(predictor > 1 ? " + predictor \(predictor)" : "")
          levels:      \(levels.enumerated().map { "\($0.offset): \($0.element[0]) x \($0.element[1])" }.joined(separator: ", "))
        """
        for s in skipped {
            lines += "\n  not a level: \(s.address) (\(s.width) x \(s.height)): \(s.reason)"
        }
        if let problem { lines += "\n  decodable:   no, \(problem)" }
        return lines
    }

    public var json: String {
        let object: [String: Any] = [
            "path": path, "format": format, "width": width, "height": height, "channels": channels, "layout": layout,
            "tiled": tiled, "tile_width": tileWidth, "tile_height": tileHeight, "compression": compression,
            "bigtiff": bigTIFF, "pages": pages, "photometric": photometric, "predictor": predictor,
            "levels": levels.map { ["width": $0[0], "height": $0[1]] }, "bits_per_sample": bitsPerSample,
            "skipped": skipped.map { ["directory": $0.address.description, "width": $0.width, "height": $0.height, "reason": $0.reason] as [String: Any] },
            "decodable": problem == nil, "problem": problem.map { $0 as Any } ?? NSNull(),
        ]
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }
}

/// Windows of an interleaved RGB image held in memory (PNGs), with the TIFF reader's semantics.
public enum InMemoryImage {
    public static func window(_ rgb: UnsafeBufferPointer<UInt8>, width: Int, height: Int,
                              x: Int, y: Int, w: Int, h: Int, reduce: Int) -> [UInt8] {
        var full = [UInt8](repeating: 0, count: w * h * 3)
        let x0 = max(x, 0), x1 = min(x + w, width)
        if x0 < x1 {
            for row in max(y, 0)..<max(max(y, 0), min(y + h, height)) {
                for i in 0..<((x1 - x0) * 3) { full[((row - y) * w + (x0 - x)) * 3 + i] = rgb[(row * width + x0) * 3 + i] }
            }
        }
        return reduced(full, w: w, h: h, reduce: reduce)
    }

    /// The window of the PNG at `path`, streamed row by row: only the window is held (the caller checked
    /// it with `ImageSummary.checkWindow`), never the whole image.
    static func pngWindow(path: String, x: Int, y: Int, w: Int, h: Int, reduce: Int) throws(ImagingError) -> [UInt8] {
        _ = try ImageLimits.bytes(w, h, 3, field: "window \(w) x \(h) at full resolution", path: path)
        var full = [UInt8](repeating: 0, count: w * h * 3)
        _ = try full.withUnsafeMutableBufferPointer { (out) throws(ImagingError) in
            try PNGFile.readRows(path: path, channels: 3, keep: false) { row, bytes in
                guard row >= y, row < y + h else { return }
                let width = bytes.count / 3
                let x0 = max(x, 0), x1 = min(x + w, width)
                guard x0 < x1 else { return }
                let target = out.baseAddress! + ((row - y) * w + (x0 - x)) * 3
                target.update(from: bytes.baseAddress! + x0 * 3, count: (x1 - x0) * 3)
            }
        }
        return reduced(full, w: w, h: h, reduce: reduce)
    }

    private static func reduced(_ full: [UInt8], w: Int, h: Int, reduce: Int) -> [UInt8] {
        if reduce == 1 { return full }
        var out = [UInt8](repeating: 0, count: (w / reduce) * (h / reduce) * 3)
        full.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { AreaReduce.rgb(src.baseAddress!, width: w, rows: h, reduce: reduce, into: $0.baseAddress!) }
        }
        return out
    }
}
