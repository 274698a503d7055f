import Foundation
import Imaging

/// The rows of a uint8 probability TIFF (probability x 255, as tta-infer
/// writes it) thresholded to 0/1 with the validate rule (`byte / 255 > t`),
/// read in bands of about 8 MB so a full-resolution map is never held.
struct ThresholdedRows {
    let reader: TiffReader
    let threshold: Double
    let threads: Int

    init(path: String, threshold: Double, threads: Int) throws {
        do { reader = try TiffReader(path: path) } catch { throw StageError("\(error)") }
        self.threshold = threshold
        self.threads = threads
    }

    var width: Int { reader.width }
    var height: Int { reader.height }

    /// Calls `body(y, row)` for every row top to bottom, `row` holding `width` bytes of 0 or 1.
    func forEachRow(_ body: (Int, UnsafeBufferPointer<UInt8>) throws -> Void) throws {
        let lookup = (0...255).map { DiceHistogram.isPredicted(UInt8($0), threshold: threshold) ? UInt8(1) : 0 }
        let bandRows = max(1, (8 << 20) / (width * 3))
        var row = [UInt8](repeating: 0, count: width)
        var top = 0
        while top < height {
            let rows = min(bandRows, height - top)
            let band: [UInt8]
            do { band = try reader.readWindow(x: 0, y: top, width: width, height: rows, threads: threads) } catch {
                throw StageError("\(error)")
            }
            for r in 0..<rows {
                let base = r * width * 3
                for x in 0..<width { row[x] = lookup[Int(band[base + x * 3])] }   // gray is replicated to RGB: channel 0
                try row.withUnsafeBufferPointer { try body(top + r, $0) }
            }
            top += rows
        }
    }

    /// The thresholded map as Kaggle runs, small components removed when `minArea > 0` (a second read).
    func encode(minArea: Int) throws -> RLEMask {
        var encoder = RLEEncoder(width: width, height: height)
        guard minArea > 0 else {
            try forEachRow { _, row in encoder.append(row: row) }
            return encoder.finish()
        }
        var filter = ComponentFilter(width: width, minArea: minArea)
        try forEachRow { _, row in filter.scan(row: row) }
        filter.finishScan()
        var kept = [UInt8](repeating: 0, count: width)
        try forEachRow { _, row in
            kept.withUnsafeMutableBufferPointer { filter.filter(row: row, into: $0) }
            encoder.append(row: kept)
        }
        return encoder.finish()
    }
}
