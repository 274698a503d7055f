import Foundation
import Imaging
import PipeCore
import PipeSpec

/// `kind: validate`: scores every fold of a train stage on the images it held
/// out (`model.json` `validation_images`), one task over all folds. Per
/// image: tile-level Dice (the fold's model on each of the image's tiles) and
/// image-level Dice (`SlidingWindowPredictor` with that fold's model alone,
/// at full resolution, compared band by band with the truth). A threshold
/// sweep of the image-level mean Dice picks the threshold. Writes
/// `scores.json`, `sweep.json` and `overlays/*.png` (docs/ml-stages.md).
public struct ValidateStage: StageImplementation {
    public init() {}

    public var version: Int { 1 }

    public var schema: StageKindSchema {
        StageKindSchema(name: "validate", summary: "Cross-validate a train stage's folds on their held-out images: tile and image Dice, threshold sweep.", fields: [
            FieldSchema("from", .reference, required: true, "The train stage whose folds are scored."),
            FieldSchema("tiles", .reference, required: true, "The tile or augment stage the folds were trained on (tile-level Dice)."),
            FieldSchema("images", .reference, required: true, "The Kaggle-layout data source of the training images (image-level Dice)."),
            FieldSchema("thresholds", .array(.number(min: 0, max: 1)),
                        default: .array(DiceSweep.defaultThresholds.map(JSONValue.double)),
                        "Probability thresholds to sweep; the best image-level mean Dice picks the threshold."),
            FieldSchema("mask", .oneOf(["rle", "polygons"]), default: .string("rle"),
                        "Where the truth comes from: train.csv RLE or the polygon JSON beside each image."),
            FieldSchema("window", .integer(min: 1, max: 8192), "Window side in model pixels (after reduce); default: the models' tile size."),
            FieldSchema("overlap", .integer(min: 0, max: 8191), default: .int(0), "Overlap between neighbouring windows, model pixels."),
            FieldSchema("blend", .oneOf(WindowBlend.allCases.map(\.rawValue)), default: .string("core"),
                        "core: each pixel from the window whose centre is nearest; linear / gaussian: weighted average."),
            FieldSchema("tta", .array(.oneOf(TTATransform.names)), default: .array([.string("none")]),
                        "Test-time augmentations of the image-level prediction."),
            FieldSchema("batch", .integer(min: 1, max: 1024), default: .int(8), "Windows or tiles per model call."),
            FieldSchema("skip_empty", .boolean, default: .bool(true),
                        "Windows without tissue (the tiling filter) predict 0 without running the model."),
            FieldSchema("worst", .integer(min: 0, max: 48), default: .int(8),
                        "Overlays of the lowest-Dice images and of the lowest-Dice tiles."),
            FieldSchema("overlay", .integer(min: 64, max: 4096), default: .int(1024), "Longest side of an image overlay."),
            FieldSchema("description", .string, "What the stage is for."),
        ])
    }

    public func keyParams(of stage: StageSpec, item: TaskItem) -> JSONValue {
        guard case .object(var config) = stage.config else { return stage.config }
        config["description"] = nil
        return .object(config)
    }

    public func run(_ context: TaskContext) async throws -> TaskOutcome {
        let stage = context.stage
        let train = try Self.input(stage, "from", context.inputs), tiles = try Self.input(stage, "tiles", context.inputs)
        let truth = try GroundTruth(input: try Self.input(stage, "images", context.inputs),
                                    polygons: stage.config["mask"]?.stringValue == "polygons")
        let thresholds = stage.config["thresholds"]?.arrayValue?.compactMap(\.doubleValue) ?? DiceSweep.defaultThresholds
        guard !thresholds.isEmpty else {
            throw StageError("thresholds is empty; list at least one, e.g. [0.4, 0.5]", at: stage.location(of: "thresholds"))
        }
        let folds: [TrainedFold]
        do { folds = try TrainedFold.discover(in: train.path, input: train.name) } catch let error as StageError {
            throw StageError(error.message, at: stage.location(of: "from"))
        }
        let shards = Dictionary(try AugmentStage.shards(in: tiles.path).map { ($0.id, $0.directory) }, uniquingKeysWith: { first, _ in first })
        let validation = ValidationRun(stage: stage, context: context, thresholds: thresholds, truth: truth, shards: shards,
                                options: try TTAInferStage.options(stage.config, threads: context.threads),
                                total: folds.reduce(0) { $0 + $1.validationImages.count })
        let images = try validation.score(folds)
        guard !images.isEmpty else {
            throw StageError("no fold of '\(train.name)' holds out any image; validate needs folds > 1", at: stage.location(of: "from"))
        }
        let report = ValidationReport(thresholds: thresholds, images: images.map(\.scores))
        let output = context.outputDirectory
        try Data(report.scoresJSON.prettyString.utf8).write(to: output.appendingPathComponent("scores.json"))
        try Data(report.sweepJSON.prettyString.utf8).write(to: output.appendingPathComponent("sweep.json"))
        try validation.writeOverlays(images, folds: folds, threshold: report.threshold, bestIndex: report.bestIndex,
                              to: output.appendingPathComponent("overlays"))
        return TaskOutcome(metrics: report.metrics)
    }

    /// The input a reference field names.
    static func input(_ stage: StageSpec, _ field: String, _ inputs: [InputArtifact]) throws -> InputArtifact {
        guard let name = stage.config[field]?.stringValue, let input = inputs.first(where: { $0.name == name }) else {
            throw StageError("\(stage.kind) needs '\(field)'", at: stage.location(of: field))
        }
        return input
    }
}
