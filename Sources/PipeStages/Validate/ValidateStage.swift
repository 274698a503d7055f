import Foundation
import Imaging
import PipeCore
import PipeSpec

/// `kind: validate`: scores every fold of a train stage on the images it held
/// out (`model.json` `validation_images`), one task over all folds. Per
/// image: tile-level Dice (the fold's model on each of the image's tiles) and
/// image-level Dice (`SlidingWindowPredictor` with that fold's model alone,
/// at full resolution, compared band by band with the truth). A threshold
/// sweep of the image-level mean Dice picks the threshold (a warning is
/// logged when it is the grid's lowest or highest). With `holdout`, the
/// ensemble of every fold is also scored on that source's labelled images,
/// which no fold saw, at the chosen threshold (`HoldoutCheck`). Writes
/// `scores.json`, `sweep.json` and `overlays/*.png` (docs/ml-stages.md).
public struct ValidateStage: StageImplementation {
    public init() {}

    /// 2: default sweep 0.02...0.98, edge flag, optional holdout.
    public var version: Int { 2 }

    public var schema: StageKindSchema {
        StageKindSchema(name: "validate", summary: "Cross-validate a train stage's folds on their held-out images: tile and image Dice, threshold sweep.", fields: [
            FieldSchema("from", .reference, required: true, "The train stage whose folds are scored."),
            FieldSchema("tiles", .reference, required: true, "The tile or augment stage the folds were trained on (tile-level Dice)."),
            FieldSchema("images", .reference, required: true, "The Kaggle-layout data source of the training images (image-level Dice)."),
            FieldSchema("thresholds", .set(.number(min: 0, max: 1)),
                        default: .array(DiceSweep.defaultThresholds.map(JSONValue.double)),
                        "Probability thresholds to sweep; the best image-level mean Dice picks the threshold."),
            FieldSchema("holdout", .reference,
                        "A labelled Kaggle-layout data source whose images no fold trained or validated on: the ensemble of "
                            + "every fold is scored there (image level) at the threshold cross-validation chose."),
            FieldSchema("mask", .oneOf(["rle", "polygons"]), default: .string("rle"),
                        "Where the truth comes from: train.csv RLE or the polygon JSON beside each image."),
        ] + Self.reconstructionFields + [
            FieldSchema("worst", .integer(min: 0, max: 48), default: .int(8),
                        "Overlays of the lowest-Dice images and of the lowest-Dice tiles."),
            FieldSchema("overlay", .integer(min: 64, max: 4096), default: .int(512), "Longest side of an image overlay."),
            FieldSchema("description", .string, "What the stage is for."),
        ])
    }

    /// The image-level reconstruction's fields, exactly as tta-infer declares them (same names and defaults).
    static var reconstructionFields: [FieldSchema] {
        let names: Set = ["window", "overlap", "blend", "tta", "average", "batch", "skip_empty"]
        return TTAInferStage().schema.fields.filter { names.contains($0.name) }
    }

    public func run(_ context: TaskContext) async throws -> TaskOutcome {
        let stage = context.stage
        let train = try context.input(field: "from"), tiles = try context.input(field: "tiles")
        let truth = try context.located("images") {
            try GroundTruth(input: try context.input(field: "images"), polygons: stage.config["mask"]?.stringValue == "polygons")
        }
        let thresholds = stage.config["thresholds"]?.arrayValue?.compactMap(\.doubleValue) ?? DiceSweep.defaultThresholds
        guard !thresholds.isEmpty else {
            throw StageError("thresholds is empty; list at least one, e.g. [0.4, 0.5]", at: stage.location(of: "thresholds"))
        }
        let folds = try context.located("from") { try TrainedFold.discover(in: train.path, input: train.name) }
        let shards = Dictionary(try AugmentStage.shards(in: tiles.path).map { ($0.id, $0.directory) }, uniquingKeysWith: { first, _ in first })
        let options = try context.located("tta") { try TTAInferStage.options(stage.config, threads: context.threads) }
        let holdout = try Self.holdout(context, folds: folds)
        let validation = ValidationRun(context: context, thresholds: thresholds, truth: truth, shards: shards, options: options,
                                       total: folds.reduce(0) { $0 + $1.validationImages.count } + (holdout?.ids.count ?? 0))
        let images = try validation.score(folds)
        guard !images.isEmpty else {
            throw StageError("no fold of '\(train.name)' holds out any image; validate needs folds > 1", at: stage.location(of: "from"))
        }
        var report = ValidationReport(thresholds: thresholds, images: images.map(\.scores))
        if let holdout {
            report.holdout = try validation.scoreHoldout(holdout.check.truth, ids: holdout.ids, train: train.path, done: images.count)
        }
        let output = context.outputDirectory
        try Data(report.scoresJSON.prettyString.utf8).write(to: output.appendingPathComponent("scores.json"))
        try Data(report.sweepJSON.prettyString.utf8).write(to: output.appendingPathComponent("sweep.json"))
        try validation.writeOverlays(images, folds: folds, threshold: report.threshold, bestIndex: report.bestIndex,
                                     to: output.appendingPathComponent("overlays"))
        let untiled = images.filter { $0.tileDice.isEmpty }.map(\.scores.id)
        let log = [untiled.isEmpty ? nil : "warning: no tiles in '\(tiles.name)' for \(untiled.joined(separator: ", ")); tile-level Dice leaves them out",
                   report.edgeWarning].compactMap { $0 }
        return TaskOutcome(metrics: report.metrics, log: log.joined(separator: "\n"))
    }

    /// The holdout source's check and image ids, nil without `holdout`; refuses images a fold saw.
    static func holdout(_ context: TaskContext, folds: [TrainedFold]) throws -> (check: HoldoutCheck, ids: [String])? {
        let stage = context.stage
        guard stage.config["holdout"] != nil else { return nil }
        return try context.located("holdout") {
            let input = try context.input(field: "holdout")
            let check = HoldoutCheck(truth: try GroundTruth(input: input, polygons: stage.config["mask"]?.stringValue == "polygons"))
            let ids = try check.imageIDs()
            try HoldoutCheck.checkUnseen(ids, folds: folds, source: input.name)
            return (check, ids)
        }
    }
}
