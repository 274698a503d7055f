import Foundation
import Imaging
import PipeCore
import PipeSpec

/// `data: {train: {synthetic: {...}}}`: a deterministic HuBMAP-layout data set
/// (train TIFFs + train.csv + polygon JSON, or test TIFFs +
/// sample_submission.csv) that every later stage reads like real data.
public struct SyntheticKidneySource: StageImplementation {
    public init() {}

    public var schema: StageKindSchema {
        StageKindSchema(name: "synthetic", summary: "Synthetic PAS-like kidney sections in the Kaggle HuBMAP layout.", fields: [
            FieldSchema("images", .integer(min: 0, max: 10_000), default: .int(6), "Number of images."),
            FieldSchema("side", .integer(min: 64, max: 200_000), default: .int(4096),
                        "Width and height of each image at full resolution (real data: 13k-50k)."),
            FieldSchema("seed", .integer(min: 0), default: .int(1), "The same seed gives byte-identical files."),
            FieldSchema("labels", .boolean, default: .bool(true),
                        "true: a training set (train/, train.csv, polygons); false: a test set (test/, sample_submission.csv)."),
            FieldSchema("test_images", .integer(min: 0), default: .int(0), "Extra unlabelled test images beside a labelled set."),
            FieldSchema("glomeruli_per_megapixel", .number(min: 0, max: 20), default: .double(1.5),
                        "Density of glomeruli in tissue."),
            FieldSchema("compression", .oneOf(["jpeg", "deflate", "lzw", "none"]), default: .string("jpeg"),
                        "TIFF compression."),
            FieldSchema("tile_size", .integer(min: 16, max: 4096), default: .int(512), "TIFF tile side."),
            FieldSchema("every_reader_path", .boolean, default: .bool(false),
                        "Cycle images through every TIFF layout (planar, page per channel, striped, BigTIFF, pyramid)."),
        ])
    }

    public var version: Int { 1 }

    public func run(_ context: TaskContext) async throws -> TaskOutcome {
        let config = context.stage.config
        let compression = TiffCompression(rawValue: config["compression"]?.stringValue ?? "jpeg") ?? .jpeg
        let options = SyntheticKidneyOptions(
            images: config["images"]?.intValue ?? 6, side: config["side"]?.intValue ?? 4096,
            seed: UInt64(config["seed"]?.intValue ?? 1), labels: config["labels"]?.boolValue ?? true,
            testImages: config["test_images"]?.intValue ?? 0,
            glomeruliPerMegapixel: config["glomeruli_per_megapixel"]?.doubleValue ?? 1.5,
            tiff: TiffWriteOptions(compression: compression, jpegQuality: 90, tileSize: config["tile_size"]?.intValue ?? 512),
            variants: config["every_reader_path"]?.boolValue == true ? SyntheticKidneyOptions.everyReaderPath : [])
        let progress = context.progress
        do {
            try SyntheticKidney.generate(options, into: context.outputDirectory, threads: context.threads) { step in
                progress(Double(step.done) / Double(max(1, step.total)), "image \(step.item)")
            }
        } catch {
            throw StageError("synthetic data: \(error)", at: context.stage.location)
        }
        return TaskOutcome(metrics: .object(["images": .int(options.images + options.testImages)]))
    }
}

/// `data: {external: {synthetic-external: {...}}}`: hand-labelled-style
/// 1024x1024 `images/*.png` + `masks/*.png` pairs.
public struct SyntheticExternalSource: StageImplementation {
    public init() {}

    public var schema: StageKindSchema {
        StageKindSchema(name: "synthetic-external", summary: "Synthetic external tiles: images/*.png + masks/*.png pairs.", fields: [
            FieldSchema("tiles", .integer(min: 0, max: 100_000), default: .int(48), "Number of image/mask pairs."),
            FieldSchema("side", .integer(min: 64, max: 8192), default: .int(1024), "Side of each tile."),
            FieldSchema("seed", .integer(min: 0), default: .int(3), "The same seed gives byte-identical files."),
        ])
    }

    public var version: Int { 1 }

    public func run(_ context: TaskContext) async throws -> TaskOutcome {
        let config = context.stage.config
        let options = SyntheticExternalOptions(tiles: config["tiles"]?.intValue ?? 48, side: config["side"]?.intValue ?? 1024,
                                               seed: UInt64(config["seed"]?.intValue ?? 3))
        let progress = context.progress
        do {
            try SyntheticExternal.generate(options, into: context.outputDirectory) { step in
                progress(Double(step.done) / Double(max(1, step.total)), step.item)
            }
        } catch {
            throw StageError("synthetic external data: \(error)", at: context.stage.location)
        }
        return TaskOutcome(metrics: .object(["tiles": .int(options.tiles)]))
    }
}
