import Foundation
import Imaging

extension ValidationRun {
    /// `overlays/image-NN-<id>.png` for the `worst` lowest-Dice images and
    /// `overlays/tile-NN-<id>-<tile>.png` for the lowest-Dice tiles, at the
    /// best threshold, numbered from the worst (see `OverlayRenderer` for colours).
    func writeOverlays(_ images: [ScoredImage], folds: [TrainedFold], threshold: Double, bestIndex k: Int,
                       to directory: URL) throws {
        let worst = stage.config["worst"]?.intValue ?? 8
        guard worst > 0 else { return }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let ranked = images.sorted { ($0.scores.image[k], $0.scores.id) < ($1.scores.image[k], $1.scores.id) }
        for (rank, image) in ranked.prefix(worst).enumerated() {
            let overlay = try imageOverlay(image, threshold: threshold)
            try write(overlay, to: directory.appendingPathComponent("image-\(Self.number(rank))-\(image.scores.id).png"))
        }
        let tiles = images.flatMap { image in
            image.tileDice.enumerated().map { (dice: $0.element[k], id: image.scores.id, fold: image.scores.fold, index: $0.offset) }
        }.sorted { ($0.dice, $0.id, $0.index) < ($1.dice, $1.id, $1.index) }.prefix(worst)
        for fold in folds where tiles.contains(where: { $0.fold == fold.fold }) {
            let scoring = tileScoring(try load(fold))
            for (rank, tile) in tiles.enumerated() where tile.fold == fold.fold {
                guard let shard = shards[tile.id] else { continue }
                let name = "tile-\(Self.number(rank))-\(tile.id)-\(tile.index).png"
                try write(try tileOverlay(shard, index: tile.index, scoring: scoring, threshold: threshold),
                          to: directory.appendingPathComponent(name))
            }
        }
    }

    /// The image read at the thumbnail's factor (area average) under its thumbnails.
    func imageOverlay(_ image: ScoredImage, threshold: Double) throws -> PixelImage {
        let thumb = image.prediction, f = thumb.factor
        let rgb: [UInt8]
        do {
            rgb = try TiffReader(path: image.path).readWindow(x: 0, y: 0, width: thumb.width * f, height: thumb.height * f,
                                                              reduce: f, threads: max(1, context.threads))
        } catch { throw StageError("\(error)", at: stage.location(of: "images")) }
        return OverlayRenderer.render(rgb: rgb, truth: image.truth.pixels,
                                      predicted: OverlayRenderer.threshold(thumb.pixels, at: threshold),
                                      width: thumb.width, height: thumb.height)
    }

    /// One tile, predicted again by its fold's model, over its mask.
    func tileOverlay(_ shard: URL, index: Int, scoring: TileScoring, threshold: Double) throws -> PixelImage {
        let reader: TileShardReader
        do { reader = try TileShardReader(path: shard.appendingPathComponent("tiles.bin").path) } catch {
            throw StageError("\(error)", at: stage.location(of: "tiles"))
        }
        let probabilities = try scoring.probabilities(reader, indices: [index])[0]
        let (rgb, mask) = reader.withTile(index) { (Array($0), Array($1)) }
        return OverlayRenderer.render(rgb: rgb, truth: mask, predicted: OverlayRenderer.threshold(probabilities, at: threshold),
                                      width: reader.size, height: reader.size)
    }

    private func write(_ image: PixelImage, to url: URL) throws {
        do { try PNGFile.write(image, path: url.path) } catch { throw StageError("\(error)") }
    }

    /// `01`, `02`, ...: sortable names for up to 99 overlays of a kind.
    static func number(_ rank: Int) -> String { rank + 1 < 10 ? "0\(rank + 1)" : "\(rank + 1)" }
}
