import Foundation
import PipeCore
@testable import PipeSpec
import TestSupport

/// Kinds shaped like the real image and learning stages, so the loader is
/// tested on nested objects, bounds, enums and references without PipeStages.
enum TestKinds {
    static let tile = StageKindSchema(name: "tile", summary: "Cut tiles.", fields: [
        FieldSchema("from", .references, required: true, "Sources to tile."),
        FieldSchema("size", .integer(min: 32, max: 4096), default: .int(256), "Tile side in pixels."),
        FieldSchema("reduce", .integer(min: 1), default: .int(4), "Downscale factor."),
    ])
    static let train = StageKindSchema(name: "train", summary: "Train a model.", fields: [
        FieldSchema("from", .reference, required: true, "Tiles to train on."),
        FieldSchema("folds", .integer(min: 1, max: 10), default: .int(4), "Cross-validation folds."),
        FieldSchema("loss", .oneOf(["bce", "bce_jaccard", "lovasz"]), default: .string("bce"), "Loss."),
        FieldSchema("optimizer", .object([
            FieldSchema("name", .oneOf(["adam", "sgd"]), default: .string("adam"), "Optimizer."),
            FieldSchema("lr", .number(min: 0), default: .double(1e-3), "Learning rate."),
            FieldSchema("lookahead", .object([
                FieldSchema("k", .integer(min: 1), required: true, "Steps."),
                FieldSchema("alpha", .number(min: 0, max: 1), default: .double(0.5), "Blend."),
            ]), "Lookahead wrapper."),
        ]), default: .object(["name": .string("adam"), "lr": .double(1e-3)]), "Optimizer settings."),
        FieldSchema("seed", .integer(), default: .int(0), "Seed."),
        FieldSchema("tta", .array(.oneOf(["none", "flip_h", "flip_v"])), "Test-time augmentation."),
        FieldSchema("threshold", .anyOf([.number(min: 0, max: 1), .reference]), "A value or a stage."),
        FieldSchema("init", .dependency, "Pretrained weights: a path (or a stage)."),
    ])
    static let synthetic = StageKindSchema(name: "synthetic", summary: "Synthetic Kaggle-layout data.", fields: [
        FieldSchema("images", .integer(min: 1), required: true, "Number of images."),
        FieldSchema("side", .integer(min: 64), default: .int(1024), "Image side."),
        FieldSchema("labels", .boolean, default: .bool(true), "Write train.csv."),
    ])
    static let registry = KindRegistry(stageKinds: [CommandKind.schema, tile, train], dataGenerators: [synthetic])
}

/// A temporary project with spec files; loads them with relative display paths.
struct SpecProject {
    let directory: TemporaryDirectory

    init(_ files: [String: String]) throws {
        directory = try TemporaryDirectory("pipe-spec")
        for (name, text) in files { try directory.write(name, text) }
    }

    /// Loads `name`, given relative to the project so locations read `name:line:col`.
    func load(_ name: String = "spec.yaml", overrides: [String] = [],
              registry: KindRegistry = TestKinds.registry, reader: SpecFileReader = .disk) throws -> PipelineSpec {
        let url = URL(fileURLWithPath: name, relativeTo: directory.url)
        return try SpecLoader(registry: registry, reader: reader).load(file: url, overrides: overrides)
    }

    /// The diagnostics `load` throws, as `file:line:col: message` lines (empty when it succeeds).
    func errors(_ name: String = "spec.yaml", overrides: [String] = []) -> [String] {
        do {
            _ = try load(name, overrides: overrides)
            return []
        } catch let diagnostics as Diagnostics {
            return diagnostics.all.map(\.description)
        } catch {
            return ["unexpected error: \(error)"]
        }
    }
}

/// Loads a one-file spec written inline.
func loadSpec(_ text: String, overrides: [String] = [], files: [String: String] = [:]) throws -> PipelineSpec {
    let project = try SpecProject(files.merging(["spec.yaml": text]) { _, new in new })
    defer { project.directory.remove() }
    return try project.load(overrides: overrides)
}

/// The diagnostics of a one-file spec written inline.
func specErrors(_ text: String, overrides: [String] = [], files: [String: String] = [:]) throws -> [String] {
    let project = try SpecProject(files.merging(["spec.yaml": text]) { _, new in new })
    defer { project.directory.remove() }
    return project.errors(overrides: overrides)
}
