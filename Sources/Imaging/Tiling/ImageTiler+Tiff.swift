import Foundation
import Synchronization

extension ImageTiler {
    /// Tiles a TIFF level with its mask, the same tiles in the same order as `run(threads:read:...)`
    /// with bands from `readWindow` and `mask.window(reduce:mode: .nearest)`, but each grid is streamed
    /// once top to bottom with `readReduced`: every file chunk is decoded once per grid and reduced as it
    /// is decoded, and the mask is sampled at reduced resolution. `threads` decode chunks and cut windows.
    public func run(reader: TiffReader, mask: RLEMask, threads: Int, progress: (Double) -> Void = { _ in },
                    emit: (Tile) throws -> Void) throws -> Counts {
        var counts = Counts()
        let rowCount = grid.grids.reduce(0) { $0 + grid.rowTops(grid: $1).count }
        var done = 0
        for index in grid.grids {
            let tops = grid.rowTops(grid: index), windows = grid.row(at: 0, grid: index)
            guard let top = tops.first, let bottom = tops.last, let first = windows.first, let last = windows.last else { continue }
            let size = grid.size, reduce = grid.reduce
            let bandX = first.x, bandWidth = last.x + grid.window - first.x, rowBytes = bandWidth / reduce * 3
            var held: [UInt8] = [], heldFirst = 0   // reduced rows heldFirst..< of the grid's region
            var next = 0
            try reader.readReduced(x: bandX, y: top, width: bandWidth, height: bottom + grid.window - top, reduce: reduce,
                                   threads: threads) { _, rows in
                held.append(contentsOf: rows)
                while next < tops.count, heldFirst + held.count / rowBytes >= (tops[next] - top) / reduce + size {
                    let start = ((tops[next] - top) / reduce - heldFirst) * rowBytes
                    let bandMask = mask.window(x: bandX, y: tops[next], width: bandWidth, height: grid.window, reduce: reduce)
                    let row = grid.row(at: tops[next], grid: index)
                    let results = held.withUnsafeBufferPointer { band in
                        cut(row, grid: index, band: band.baseAddress! + start, mask: bandMask, bandX: bandX, threads: threads)
                    }
                    for (tiles, rowCounts) in results {
                        counts.add(rowCounts)
                        for tile in tiles { try emit(tile) }
                    }
                    next += 1
                    let keep = next < tops.count ? (tops[next] - top) / reduce : heldFirst + held.count / rowBytes
                    held.removeFirst((keep - heldFirst) * rowBytes)
                    heldFirst = keep
                    done += 1
                    progress(Double(done) / Double(max(1, rowCount)))
                }
            }
        }
        return counts
    }

    /// `cut` over contiguous parts of `windows`, `threads` at a time, results in window order.
    private func cut(_ windows: [TileGrid.Window], grid index: Int, band: UnsafePointer<UInt8>, mask: [UInt8], bandX: Int,
                     threads: Int) -> [([Tile], Counts)] {
        let parts = max(1, min(threads, windows.count))
        let results = Mutex<[([Tile], Counts)]>(Array(repeating: ([], Counts()), count: parts))
        let source = SharedPointer(base: UnsafeMutablePointer(mutating: band))
        DispatchQueue.concurrentPerform(iterations: parts) { part in
            let slice = windows[(windows.count * part / parts)..<(windows.count * (part + 1) / parts)]
            let result = cut(slice, grid: index, band: source.base, mask: mask, bandX: bandX)
            results.withLock { $0[part] = result }
        }
        return results.withLock { $0 }
    }
}
