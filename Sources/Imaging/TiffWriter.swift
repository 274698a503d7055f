import CTIFF
import Foundation

/// Streams a TIFF to disk band by band (a band is `options.bandRows` full-width rows), so the full
/// image never sits in memory. Page-per-channel layouts and pyramid levels are spilled to a raw
/// temporary file and written after the first page. Use from one thread.
public final class TiffWriter {
    public let path: String
    public let width: Int
    public let height: Int
    /// 1 (gray) or 3 (RGB), interleaved in the bands passed in.
    public let channels: Int
    public let options: TiffWriteOptions
    let handle: TiffHandle
    private var nextRow = 0
    private var spill: RawSpill?
    private var finished = false

    /// Creates `path` (replacing it). Throws when the options are invalid or the file cannot be created.
    public init(path: String, width: Int, height: Int, channels: Int, options: TiffWriteOptions = .init()) throws(ImagingError) {
        guard width > 0, height > 0, channels == 1 || channels == 3 else {
            throw ImagingError(.invalidArgument, "cannot write a \(width) x \(height) image with \(channels) channels", path: path)
        }
        guard !options.tiled || (options.tileSize >= 16 && options.tileSize % 16 == 0), options.rowsPerStrip > 0 else {
            throw ImagingError(.invalidArgument, "tile size \(options.tileSize) must be a positive multiple of 16", path: path)
        }
        guard options.layout == .contiguous || channels == 3 else {
            throw ImagingError(.invalidArgument, "layout '\(options.layout.rawValue)' needs 3 channels", path: path)
        }
        self.path = path
        self.width = width
        self.height = height
        self.channels = channels
        self.options = options
        let estimate = Double(width) * Double(height) * Double(channels) * (options.pyramidLevels > 0 ? 1.34 : 1)
        let big = options.bigTIFF ?? (estimate > 3.8e9)
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        handle = try TiffHandle(path: path, mode: big ? "w8" : "w")
        if options.layout == .pagePerChannel || options.pyramidLevels > 0 {
            spill = try RawSpill(width: width, height: height, channels: channels, levels: options.pyramidLevels,
                                 keepPlanes: options.layout == .pagePerChannel, path: path)
        }
        if options.pyramidLevels > 0 { _ = ctiff_set_subifd_count(handle.tiff, UInt16(options.pyramidLevels)) }
        let pagePlanes = options.layout == .pagePerChannel ? 1 : channels
        try setFields(width: width, height: height, samples: pagePlanes, planar: options.layout == .planar, reduced: false)
    }

    /// Writes rows `y..<y+rows` (interleaved, `width * channels` bytes a row). Bands come in order,
    /// each `options.bandRows` rows except the last.
    public func write(band: UnsafeBufferPointer<UInt8>, rows: Int) throws(ImagingError) {
        guard !finished, rows > 0, nextRow + rows <= height,
              rows == min(options.bandRows, height - nextRow), band.count >= rows * width * channels else {
            throw ImagingError(.invalidArgument, "band of \(rows) rows at row \(nextRow) does not fit the writer (bands of \(options.bandRows) rows, in order)", path: path)
        }
        switch options.layout {
        case .contiguous: try writeChunks(band.baseAddress!, y: nextRow, rows: rows, width: width, stride: channels, channel: nil, sample: 0)
        case .pagePerChannel: try writeChunks(band.baseAddress!, y: nextRow, rows: rows, width: width, stride: 3, channel: 0, sample: 0)
        case .planar:
            for plane in 0..<3 {
                try writeChunks(band.baseAddress!, y: nextRow, rows: rows, width: width, stride: 3, channel: plane, sample: UInt16(plane))
            }
        }
        try spill?.append(band.baseAddress!, rows: rows)
        nextRow += rows
    }

    /// Writes the remaining pages and levels and closes the file. The image must be complete.
    public func finish() throws(ImagingError) {
        guard !finished else { return }
        guard nextRow == height else {
            throw ImagingError(.invalidArgument, "image incomplete: \(nextRow) of \(height) rows written", path: path)
        }
        finished = true
        try writeDirectory()
        if let spill {
            try spill.finish()
            // libtiff writes the `pyramidLevels` directories after page 0 as its SubIFDs: the levels
            // must come before the other channel pages, or those would become SubIFDs
            for level in 1...max(1, options.pyramidLevels) where options.pyramidLevels > 0 {
                try writeSpilledLevel(spill, level: level)
            }
            if options.layout == .pagePerChannel {
                for plane in 1...2 { try writeSpilledPlane(spill, plane: plane) }
            }
            spill.remove()
        }
    }

    deinit { spill?.remove() }

    var tiff: OpaquePointer { handle.tiff }

    func writeDirectory() throws(ImagingError) {
        guard TIFFWriteDirectory(handle.tiff) == 1 else {
            throw ImagingError(.io, "cannot write TIFF directory (\(handle.lastError("disk full?")))", path: path)
        }
    }

    private func writeSpilledPlane(_ spill: RawSpill, plane: Int) throws(ImagingError) {
        try setFields(width: width, height: height, samples: 1, planar: false, reduced: false)
        try spill.readBands(level: 0, bandRows: options.bandRows) { (rgb, y, rows) throws(ImagingError) in
            try writeChunks(rgb, y: y, rows: rows, width: width, stride: 3, channel: plane, sample: 0)
        }
        try writeDirectory()
    }

    private func writeSpilledLevel(_ spill: RawSpill, level: Int) throws(ImagingError) {
        let (w, h) = spill.size(level: level)
        let samples = options.layout == .pagePerChannel ? 3 : channels
        let planar = options.layout == .planar
        try setFields(width: w, height: h, samples: samples, planar: planar, reduced: true)
        try spill.readBands(level: level, bandRows: options.bandRows) { (pixels, y, rows) throws(ImagingError) in
            if planar {
                for p in 0..<3 { try writeChunks(pixels, y: y, rows: rows, width: w, stride: 3, channel: p, sample: UInt16(p)) }
            } else {
                try writeChunks(pixels, y: y, rows: rows, width: w, stride: samples, channel: nil, sample: 0)
            }
        }
        try writeDirectory()
    }
}
