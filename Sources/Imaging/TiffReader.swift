import CTIFF
import Foundation
import Synchronization

/// Reads windows of one level of a TIFF as RGB uint8, decoding only the tiles or strips that overlap
/// the window. Memory is bounded by the window, never the image. Safe to share across threads:
/// each concurrent decode borrows its own libtiff handle from a small pool.
public final class TiffReader: Sendable {
    /// Headers of the whole file (all levels).
    public let info: TiffInfo
    /// The level this reader reads (0 = full resolution).
    public let level: Int
    /// How sample values become output (window/level, fill value of absent tiles).
    public let options: TiffReadOptions
    let plan: TiffLevelPlan
    /// Strips decoding to more bytes than this are read scanline by scanline.
    let scanlineLimit: Int
    private let pool: Mutex<[[TiffHandle]]>

    /// Opens `path` and selects `level` (see `info.levels`). Throws `ImagingError` naming the file when
    /// it is missing, not a TIFF, truncated, or uses an unsupported feature.
    /// `options` choose a window/level for 16-bit data and the value of absent tiles.
    public convenience init(path: String, level: Int = 0, options: TiffReadOptions = .init()) throws(ImagingError) {
        try self.init(path: path, level: level, options: options, scanlineLimit: scanlineThreshold)
    }

    /// As `init(path:level:options:)`, reading strips over `scanlineLimit` decoded bytes by scanline
    /// (tests lower it to exercise that path on small files).
    init(path: String, level: Int, options: TiffReadOptions = .init(), scanlineLimit: Int) throws(ImagingError) {
        if let window = options.window, window.lowerBound < 0 || window.upperBound > 65535 || window.count < 2 {
            throw ImagingError(.invalidArgument, "window \(window.lowerBound)...\(window.upperBound) must lie within 0...65535 and hold at least two values", path: path)
        }
        let handle = try TiffHandle(path: path, mode: "rmO")
        let (info, plans) = try TiffInspector.inspect(handle, options: options)
        if let problem = info.problem {
            throw ImagingError(.unsupported, problem, path: path)
        }
        guard plans.indices.contains(level) else {
            throw ImagingError(.invalidArgument, "level \(level) does not exist; the file has levels 0..<\(plans.count)", path: path)
        }
        self.info = info
        self.level = level
        self.options = options
        self.plan = plans[level]
        self.scanlineLimit = scanlineLimit
        let slots = plans[level].planes.count   // a handle keeps to one plane: scanline reads resume where they stopped
        try Self.prepare(handle, plan: plans[level], plane: 0)
        var handles = Array(repeating: [TiffHandle](), count: slots)
        handles[0] = [handle]
        pool = Mutex(handles)
    }

    public convenience init(url: URL, level: Int = 0) throws(ImagingError) {
        try self.init(path: url.path, level: level)
    }

    /// Reads only the headers of `path`. A file pipe cannot decode is described (with
    /// `problem` set) rather than refused; a missing or damaged file throws.
    public static func info(path: String) throws(ImagingError) -> TiffInfo {
        try TiffInspector.inspect(try TiffHandle(path: path, mode: "rmO")).0
    }

    /// Width and height of the selected level.
    public var width: Int { plan.level.width }
    public var height: Int { plan.level.height }
    public var path: String { info.path }

    private static func prepare(_ handle: TiffHandle, plan: TiffLevelPlan, plane: Int) throws(ImagingError) {
        try handle.select(plan.planes[plane])
        if plan.jpegToRGB {
            _ = ctiff_set_int(handle.tiff, UInt32(TIFFTAG_JPEGCOLORMODE), JPEGCOLORMODE_RGB)
        }
    }

    /// Runs `body` with a handle positioned on `plane`'s directory (each plane has its own handles),
    /// returning it to the pool after.
    func withHandle<R>(plane: Int, _ body: (TiffHandle) throws(ImagingError) -> R) throws(ImagingError) -> R {
        let pooled = pool.withLock { $0[plane].popLast() }
        let handle: TiffHandle
        if let pooled {
            handle = pooled
        } else {
            handle = try TiffHandle(path: info.path, mode: "rmO")
            try Self.prepare(handle, plan: plan, plane: plane)
        }
        handle.clearError()
        defer { pool.withLock { $0[plane].append(handle) } }
        return try body(handle)
    }
}
