import Foundation
import Imaging
import PipeCore

/// Collects one tile task's output: the shard, the normalisation sums, the
/// contact sheet, and the manifest written at the end.
final class TileOutput: @unchecked Sendable {
    let directory: URL
    let settings: TileSettings
    let source: String
    /// `image` (a Kaggle image, held out by folds) or `external` (a labelled set that always trains).
    let kind: String
    let shard: TileShardWriter
    var statistics = TileStatistics()
    var sheet: ContactSheet
    var counts = ImageTiler.Counts()
    var imageSize = (0, 0)
    /// Every how many kept tiles one goes on the sheet (masked tiles always do while there is room).
    var sampleEvery = 1
    private var seen = 0

    init(directory: URL, settings: TileSettings, source: String, kind: String) throws {
        self.directory = directory
        self.settings = settings
        self.source = source
        self.kind = kind
        do { shard = try TileShardWriter(path: directory.appendingPathComponent("tiles.bin").path, size: settings.size) } catch {
            throw StageError("\(error)")
        }
        let columns = max(1, Int(Double(settings.preview).squareRoot().rounded(.up)))
        sheet = ContactSheet(columns: columns, rows: max(1, (settings.preview + columns - 1) / columns), cell: 128)
    }

    /// Adds a kept tile to the shard, the statistics, and (for every few tiles, preferring masked ones) the sheet.
    func add(_ tile: ImageTiler.Tile) throws {
        try tile.rgb.withUnsafeBufferPointer { rgb in
            try tile.mask.withUnsafeBufferPointer { try shard.append(rgb: rgb, mask: $0, entry: tile.entry) }
            statistics.add(rgb)
        }
        seen += 1
        if settings.preview > 0, !sheet.isFull, tile.entry.maskPixels > 0 || (seen - 1) % sampleEvery == 0 {
            sheet.add(rgb: tile.rgb, mask: tile.mask, size: settings.size)
        }
    }

    /// Finishes the shard and writes the manifest and preview; returns the task's metrics.
    func finish() throws -> JSONValue {
        do {
            try shard.finish()
            if settings.preview > 0 {
                try PNGFile.write(sheet.image, path: directory.appendingPathComponent("preview.png").path)
            }
        } catch { throw StageError("\(error)") }
        let manifest: JSONValue = .object([
            "format": .string("pipe-tiles-1"), "source": .string(source), "kind": .string(kind),
            "image_width": .int(imageSize.0), "image_height": .int(imageSize.1),
            "size": .int(settings.size), "reduce": .int(settings.reduce), "overlap": .int(settings.overlap),
            "shift": .bool(settings.shift), "windows": .int(counts.windows), "tiles": .int(counts.kept),
            "kept_for_mask": .int(counts.keptForMask), "mask_pixels": .int(counts.maskPixels),
            "pixels": .int(Int(statistics.pixels)),
            "sum": .array(statistics.sum.map { .int(Int($0)) }),
            "sum_of_squares": .array(statistics.sumOfSquares.map { .int(Int($0)) }),
            "mean": .array(statistics.mean.map(JSONValue.double)), "std": .array(statistics.std.map(JSONValue.double)),
        ])
        try Data(manifest.prettyString.utf8).write(to: directory.appendingPathComponent("manifest.json"))
        return .object(["tiles": .int(counts.kept), "windows": .int(counts.windows), "mask_pixels": .int(counts.maskPixels)])
    }
}
