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
    /// The fold ensemble on the holdout source, when the stage names one.
    var holdout: [ImageScores]? = nil

    var imageSweep: DiceSweep { sweep(images.map(\.image)) }
    var tileSweep: DiceSweep { sweep(images.compactMap(\.tiles)) }
    var bestIndex: Int { imageSweep.bestIndex }
    var threshold: Double { thresholds[bestIndex] }
    var folds: [Int] { Array(Set(images.map(\.fold))).sorted() }
    /// Whether the chosen threshold is the lowest or highest swept.
    var thresholdOnEdge: Bool { DiceSweep.isOnEdge(threshold, of: thresholds) }
    /// The warning to log when it is, nil otherwise.
    var edgeWarning: String? {
        DiceSweep.edgeWarning(best: threshold, thresholds: thresholds, what: "the best threshold",
                              fix: "widen 'thresholds' (the default sweeps 0.02...0.98)")
    }
    var holdoutReport: HoldoutReport? {
        holdout.map { HoldoutReport(thresholds: thresholds, chosen: bestIndex, images: $0) }
    }

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

    /// `sweep.json`: Dice per threshold (image level, tile level, and the
    /// holdout's when there is one), the best threshold and whether it is on the grid's edge.
    var sweepJSON: JSONValue {
        var fields: [String: JSONValue] = [
            "thresholds": .array(thresholds.map(JSONValue.double)),
            "dice": .array(imageSweep.mean.map { .double(rounded($0)) }),
            "dice_tile": .array(tileSweep.mean.map { .double(rounded($0)) }),
            "best": .double(threshold), "best_on_edge": .bool(thresholdOnEdge)]
        if let holdout = holdoutReport { fields["dice_holdout"] = .array(holdout.sweep.mean.map { .double(rounded($0)) }) }
        return .object(fields)
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
        var fields: [String: JSONValue] = [
            "threshold": .double(threshold), "threshold_on_edge": .bool(thresholdOnEdge),
            "cv_dice_tile": .double(rounded(tile.mean)), "cv_dice_tile_std": .double(rounded(tile.std)),
            "cv_dice_image": .double(rounded(image.mean)), "cv_dice_image_std": .double(rounded(image.std)),
            "folds": .array(folds), "images": .array(perImage),
        ]
        if let holdout = holdoutReport { fields["holdout"] = holdout.json }
        return .object(fields)
    }

    var metrics: JSONValue {
        let tile = crossValidation(tiles: true), image = crossValidation(tiles: false)
        var fields: [String: JSONValue] = [
            "cv_dice_tile": .double(rounded(tile.mean)), "cv_dice_tile_std": .double(rounded(tile.std)),
            "cv_dice_image": .double(rounded(image.mean)), "cv_dice_image_std": .double(rounded(image.std)),
            "threshold": .double(threshold), "threshold_on_edge": .int(thresholdOnEdge ? 1 : 0),
            "images": .int(images.count), "folds": .int(folds.count)]
        if let holdout = holdoutReport {
            fields["holdout_dice_image"] = .double(rounded(holdout.dice))
            fields["holdout_images"] = .int(holdout.images.count)
        }
        return .object(fields)
    }

    private func rounded(_ value: Double) -> Double { (value * 1e6).rounded() / 1e6 }
}
