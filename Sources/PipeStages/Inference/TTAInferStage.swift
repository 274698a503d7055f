import Foundation
import Imaging
import PipeCore
import PipeSpec

/// `kind: tta-infer`: predicts every test image of a Kaggle-layout source with
/// a train stage's fold models (sliding window, TTA, fold average), one cached
/// task per image (`infer[<id>]`) keyed on the models and that image alone,
/// so adding a test image predicts only it. Each task writes `<id>.tiff` (a
/// tiled, deflate-compressed uint8 probability map x 255 at full resolution,
/// written band by band) and `preview.png` (the image at low resolution with
/// the probability in red over it). docs/ml-stages.md is the contract.
public struct TTAInferStage: StageImplementation {
    public init() {}

    public var version: Int { 1 }

    public var schema: StageKindSchema {
        StageKindSchema(name: "tta-infer", summary: "Predict test images with fold models: sliding window, TTA, one cached task per image.", fields: [
            FieldSchema("models", .reference, required: true,
                        "A train stage (its output holds <fold>/best.safetensors + model.json), or a data source laid out the same way."),
            FieldSchema("images", .reference, required: true,
                        "A Kaggle-layout data source: predicts test/*.tiff, or train/*.tiff when it has no test/ folder."),
            FieldSchema("window", .integer(min: 1, max: 8192), "Window side in model pixels (after reduce); default: the models' tile size."),
            FieldSchema("overlap", .integer(min: 0, max: 8191), default: .int(0), "Overlap between neighbouring windows, model pixels."),
            FieldSchema("blend", .oneOf(WindowBlend.allCases.map(\.rawValue)), default: .string("core"),
                        "core: each pixel from the window whose centre is nearest; linear / gaussian: weighted average."),
            FieldSchema("tta", .set(.oneOf(TTATransform.names)), default: .array([.string("none")]),
                        "Test-time augmentations, each inverted on the output before averaging."),
            FieldSchema("average", .oneOf(PredictionAverage.allCases.map(\.rawValue)), default: .string("probability"),
                        "Average TTA and fold predictions as probabilities or as logits."),
            FieldSchema("batch", .integer(min: 1, max: 1024), default: .int(8), "Windows per model call."),
            FieldSchema("folds", .set(.integer(min: 0, max: 99)), "Only these folds of the train stage (default: all)."),
            FieldSchema("skip_empty", .boolean, default: .bool(true),
                        "Windows without tissue (the tiling filter) predict 0 without running the models."),
            FieldSchema("preview", .integer(min: 16, max: 4096), default: .int(512), "Longest side of preview.png."),
            FieldSchema("description", .string, "What the stage is for."),
        ])
    }

    public func tasks(of stage: StageSpec, inputs: [InputArtifact]?) throws -> [TaskItem]? {
        guard let inputs else { return nil }
        return try Self.images(stage, inputs).map { TaskItem(index: $0.id, value: .string($0.path)) }
    }

    /// The models and images enter the key by content, per task.
    public var unkeyedFields: Set<String> { ["models", "images"] }

    /// Each task is keyed on the models and its own image only.
    public func keyInputs(of stage: StageSpec, item: TaskItem, inputs: [InputArtifact]) throws -> [String: Digest] {
        let models = try Self.input(stage, "models", inputs), images = try Self.input(stage, "images", inputs)
        let path = item.value.stringValue ?? ""
        return [models.name: models.digest, "\(images.name)/\(path)": images.digest(of: path) ?? images.digest]
    }

    public func run(_ context: TaskContext) async throws -> TaskOutcome {
        let stage = context.stage
        let models = try Self.input(stage, "models", context.inputs), images = try Self.input(stage, "images", context.inputs)
        guard let id = context.item.index, let relative = context.item.value.stringValue else {
            throw StageError("tta-infer task has no image", at: stage.location)
        }
        let folds = stage.config["folds"]?.arrayValue?.compactMap(\.intValue)
        let ensemble: FoldEnsemble
        do { ensemble = try FoldEnsemble.load(models.path, folds: folds) } catch let error as StageError {
            throw StageError("models '\(models.name)': \(error.message)", at: stage.location(of: "models"))
        }
        let options = try Self.options(stage.config, threads: context.threads)
        let start = Date()
        let report = try InferenceOutput.write(
            image: images.path.appendingPathComponent(relative).path,
            predictor: SlidingWindowPredictor(ensemble: ensemble, options: options),
            tiff: context.outputDirectory.appendingPathComponent("\(id).tiff").path,
            preview: context.outputDirectory.appendingPathComponent("preview.png").path,
            previewSide: stage.config["preview"]?.intValue ?? 512, progress: context.progress)
        return TaskOutcome(metrics: .object([
            "windows_predicted": .int(report.windowsPredicted), "windows_skipped": .int(report.windowsSkipped),
            "seconds": .double((Date().timeIntervalSince(start) * 1000).rounded() / 1000),
            "mean_probability": .double((report.meanProbability * 1e6).rounded() / 1e6),
            "width": .int(report.width), "height": .int(report.height), "models": .int(ensemble.models.count),
        ]))
    }

    /// The predictor options a stage config (or the same keys elsewhere) describes.
    static func options(_ config: JSONValue, threads: Int) throws -> InferenceOptions {
        let tta = try (config["tta"]?.arrayValue ?? [.string("none")]).map { name in
            guard let transform = name.stringValue.flatMap(TTATransform.init(rawValue:)) else {
                throw StageError("unknown tta '\(name.display)'; use \(TTATransform.names.joined(separator: ", "))")
            }
            return transform
        }
        return InferenceOptions(window: config["window"]?.intValue, overlap: config["overlap"]?.intValue ?? 0,
                                blend: config["blend"]?.stringValue.flatMap(WindowBlend.init(rawValue:)) ?? .core, tta: tta,
                                average: config["average"]?.stringValue.flatMap(PredictionAverage.init(rawValue:)) ?? .probability,
                                batch: config["batch"]?.intValue ?? 8, threads: max(1, threads),
                                skipEmpty: config["skip_empty"]?.boolValue ?? true)
    }

    /// The input a field names.
    static func input(_ stage: StageSpec, _ field: String, _ inputs: [InputArtifact]) throws -> InputArtifact {
        guard let name = stage.config[field]?.stringValue, let input = inputs.first(where: { $0.name == name }) else {
            throw StageError("tta-infer needs '\(field)'", at: stage.location(of: field))
        }
        return input
    }

    /// The images to predict: `test/*.tiff` of the images source, else `train/*.tiff`.
    static func images(_ stage: StageSpec, _ inputs: [InputArtifact]) throws -> [(id: String, path: String)] {
        let source = try input(stage, "images", inputs)
        guard let manifest = source.manifest else {
            throw StageError("images '\(source.name)' is a file; give a Kaggle-layout directory (test/*.tiff)", at: stage.location(of: "images"))
        }
        func tiffs(in folder: String) -> [(id: String, path: String)] {
            manifest.entries.map(\.path).filter { path in
                let parts = path.split(separator: "/")
                return parts.count == 2 && parts[0] == folder && (path.hasSuffix(".tiff") || path.hasSuffix(".tif"))
            }.sorted().map { (String($0.split(separator: "/")[1].split(separator: ".")[0]), $0) }
        }
        let found = tiffs(in: "test").isEmpty ? tiffs(in: "train") : tiffs(in: "test")
        guard !found.isEmpty else {
            throw StageError("images '\(source.name)' has no test/*.tiff and no train/*.tiff; is it a HuBMAP directory?", at: stage.location(of: "images"))
        }
        return found
    }
}
