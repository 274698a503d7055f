import Foundation
import PipeCore

/// One held-out image's scores at every threshold.
struct ImageScores: Sendable {
    var fold: Int
    var id: String
    var width: Int
    var height: Int
    /// Image-level Dice per threshold (full resolution, sliding window).
    var image: [Double]
    /// Dice of the image's tiles pooled (every tile pixel counted once) per threshold; nil without tiles.
    var tiles: [Double]?
    var tileCount: Int
    var truthArea: Int
}

/// The validation result: the image-level sweep picks the threshold; tile
/// and image Dice are reported at it per image, per fold (mean over the
/// fold's images) and over folds (mean and population std of fold means).
struct ValidationReport: Sendable {
    let thresholds: [Double]
    let images: [ImageScores]

    var imageSweep: DiceSweep { sweep(images.map(\.image)) }
    var tileSweep: DiceSweep { sweep(images.compactMap(\.tiles)) }
    var bestIndex: Int { imageSweep.bestIndex }
    var threshold: Double { thresholds[bestIndex] }
    var folds: [Int] { Array(Set(images.map(\.fold))).sorted() }

    private func sweep(_ rows: [[Double]]) -> DiceSweep {
        var sweep = DiceSweep(thresholds: thresholds)
        for row in rows { sweep.append(row) }
        return sweep
    }

    /// Mean Dice of fold `fold`'s images at the best threshold (tile or image level); nil without any.
    func foldDice(_ fold: Int, tiles: Bool) -> Double? {
        let k = bestIndex
        let values = images.filter { $0.fold == fold }.compactMap { tiles ? $0.tiles?[k] : $0.image[k] }
        return values.isEmpty ? nil : values.reduce(0, +) / Double(values.count)
    }

    /// Mean and std over folds.
    func crossValidation(tiles: Bool) -> (mean: Double, std: Double) {
        meanAndDeviation(folds.compactMap { foldDice($0, tiles: tiles) })
    }

    var sweepJSON: JSONValue {
        .object(["thresholds": .array(thresholds.map(JSONValue.double)),
                 "dice": .array(imageSweep.mean.map { .double(rounded($0)) }),
                 "dice_tile": .array(tileSweep.mean.map { .double(rounded($0)) }),
                 "best": .double(threshold)])
    }

    var scoresJSON: JSONValue {
        let k = bestIndex, tile = crossValidation(tiles: true), image = crossValidation(tiles: false)
        let folds = self.folds.map { fold -> JSONValue in
            let mine = images.filter { $0.fold == fold }
            return .object(["fold": .int(fold), "images": .array(mine.map { .string($0.id) }),
                            "tiles": .int(mine.reduce(0) { $0 + $1.tileCount }),
                            "dice_tile": foldDice(fold, tiles: true).map { JSONValue.double(rounded($0)) } ?? .null,
                            "dice_image": foldDice(fold, tiles: false).map { JSONValue.double(rounded($0)) } ?? .null])
        }
        let perImage = images.map { scores -> JSONValue in
            .object(["id": .string(scores.id), "fold": .int(scores.fold), "width": .int(scores.width),
                     "height": .int(scores.height), "tiles": .int(scores.tileCount), "truth_area": .int(scores.truthArea),
                     "dice_image": .double(rounded(scores.image[k])),
                     "dice_tile": scores.tiles.map { JSONValue.double(rounded($0[k])) } ?? .null])
        }
        return .object([
            "threshold": .double(threshold),
            "cv_dice_tile": .double(rounded(tile.mean)), "cv_dice_tile_std": .double(rounded(tile.std)),
            "cv_dice_image": .double(rounded(image.mean)), "cv_dice_image_std": .double(rounded(image.std)),
            "folds": .array(folds), "images": .array(perImage),
        ])
    }

    var metrics: JSONValue {
        let tile = crossValidation(tiles: true), image = crossValidation(tiles: false)
        return .object(["cv_dice_tile": .double(rounded(tile.mean)), "cv_dice_tile_std": .double(rounded(tile.std)),
                        "cv_dice_image": .double(rounded(image.mean)), "cv_dice_image_std": .double(rounded(image.std)),
                        "threshold": .double(threshold), "images": .int(images.count), "folds": .int(folds.count)])
    }

    private func rounded(_ value: Double) -> Double { (value * 1e6).rounded() / 1e6 }
}
