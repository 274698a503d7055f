import Foundation
import Synchronization

/// Cuts one image into filtered tiles (the recipe of DESIGN §1), one band of
/// windows at a time, so memory is bounded by the bands in flight, never the
/// image. Bands are read in parallel and tiles come out in grid order, so the
/// result is the same for any thread count.
public struct ImageTiler: Sendable {
    public var grid: TileGrid
    public var filter: TileFilter
    /// Keep a tile that fails the filter when it holds mask pixels.
    public var keepMasked: Bool

    public init(grid: TileGrid, filter: TileFilter, keepMasked: Bool) {
        self.grid = grid
        self.filter = filter
        self.keepMasked = keepMasked
    }

    /// Reads the full-resolution window (x, y, width, height), reduced by `reduce`:
    /// RGB interleaved, and the mask (0/1) downscaled with nearest.
    public typealias BandReader = @Sendable (_ x: Int, _ y: Int, _ width: Int, _ height: Int) throws -> (rgb: [UInt8], mask: [UInt8])

    /// One kept tile.
    public struct Tile: Sendable {
        public var rgb: [UInt8]
        public var mask: [UInt8]
        public var entry: TileShard.Entry
    }

    /// Counts over every window looked at.
    public struct Counts: Sendable, Equatable {
        public var windows = 0
        public var kept = 0
        /// Kept only because they hold mask pixels.
        public var keptForMask = 0
        public var maskPixels = 0
        public init() {}

        /// Adds another image's or band's counts.
        public mutating func add(_ other: Counts) {
            windows += other.windows
            kept += other.kept
            keptForMask += other.keptForMask
            maskPixels += other.maskPixels
        }
    }

    /// Tiles the image: `read` supplies bands, `emit` receives kept tiles in
    /// grid order (grid, then rows top to bottom, then left to right).
    public func run(threads: Int, read: BandReader, progress: (Double) -> Void = { _ in },
                    emit: (Tile) throws -> Void) throws -> Counts {
        let rows = grid.grids.flatMap { g in grid.rowTops(grid: g).map { (grid: g, top: $0) } }
        var counts = Counts()
        let batch = max(1, threads)
        var start = 0
        while start < rows.count {
            let slice = Array(rows[start..<min(start + batch, rows.count)])
            let results = try tileRows(slice, read: read)
            for (tiles, rowCounts) in results {
                counts.add(rowCounts)
                for tile in tiles { try emit(tile) }
            }
            start += slice.count
            progress(Double(start) / Double(max(1, rows.count)))
        }
        return counts
    }

    private func tileRows(_ rows: [(grid: Int, top: Int)], read: BandReader) throws -> [([Tile], Counts)] {
        let results = Mutex<[Result<([Tile], Counts), Error>?]>(Array(repeating: nil, count: rows.count))
        DispatchQueue.concurrentPerform(iterations: rows.count) { index in
            let outcome = Result { try tileRow(grid: rows[index].grid, top: rows[index].top, read: read) }
            results.withLock { $0[index] = outcome }
        }
        return try results.withLock { $0 }.map { try $0!.get() }
    }

    /// Reads one band of windows and keeps the tiles that pass.
    func tileRow(grid index: Int, top: Int, read: BandReader) throws -> ([Tile], Counts) {
        let windows = grid.row(at: top, grid: index)
        guard let first = windows.first, let last = windows.last else { return ([], Counts()) }
        let band = try read(first.x, top, last.x + grid.window - first.x, grid.window)
        return band.rgb.withUnsafeBufferPointer { rgb in
            cut(windows[...], grid: index, band: rgb.baseAddress!, mask: band.mask, bandX: first.x)
        }
    }

    /// Cuts `windows` (of one row, all inside the band) out of a reduced band whose left edge is image
    /// column `bandX` and keeps the tiles that pass. `band` is RGB, `mask` 0/1 (0 or not), `grid.size`
    /// rows of `mask.count / grid.size` pixels each.
    func cut(_ windows: ArraySlice<TileGrid.Window>, grid index: Int, band: UnsafePointer<UInt8>, mask bandMask: [UInt8],
             bandX: Int) -> ([Tile], Counts) {
        let size = grid.size, reduce = grid.reduce
        let bandPixels = bandMask.count / size
        var tiles: [Tile] = []
        var counts = Counts()
        var rgb = [UInt8](repeating: 0, count: size * size * 3), mask = [UInt8](repeating: 0, count: size * size)
        for window in windows {
            let column = (window.x - bandX) / reduce
            var maskPixels = 0
            rgb.withUnsafeMutableBufferPointer { out in
                for row in 0..<size {
                    (out.baseAddress! + row * size * 3).update(from: band + (row * bandPixels + column) * 3, count: size * 3)
                }
            }
            for row in 0..<size {
                let source = row * bandPixels + column
                for i in 0..<size {
                    let value: UInt8 = bandMask[source + i] != 0 ? 1 : 0
                    mask[row * size + i] = value
                    maskPixels += Int(value)
                }
            }
            let verdict = rgb.withUnsafeBufferPointer { filter.evaluate($0) }
            counts.windows += 1
            guard verdict.keep || (keepMasked && maskPixels > 0) else { continue }
            counts.kept += 1
            counts.maskPixels += maskPixels
            if !verdict.keep { counts.keptForMask += 1 }
            tiles.append(Tile(rgb: rgb, mask: mask, entry: TileShard.Entry(
                x: window.x, y: window.y, grid: index, reduce: reduce, maskPixels: maskPixels,
                saturatedPixels: verdict.saturated)))
        }
        return (tiles, counts)
    }
}
