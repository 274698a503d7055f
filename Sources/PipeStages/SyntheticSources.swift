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
            FieldSchema("test_images", .integer(min: 0, max: 10_000), default: .int(0), "Extra unlabelled test images beside a labelled set."),
            FieldSchema("glomeruli_per_megapixel", .number(min: 0, max: 20), default: .double(1.5),
                        "Density of glomeruli in tissue."),
            FieldSchema("compression", .oneOf(["jpeg", "deflate", "lzw", "none"]), default: .string("jpeg"),
                        "TIFF compression."),
            FieldSchema("tile_size", .integer(min: 16, max: 4096), default: .int(512), "TIFF tile side."),
            // The layout fields below have no schema default so that specs which do not name them keep
            // their task keys; the defaults in the descriptions are TiffWriteOptions'.
            FieldSchema("layout", .oneOf(TiffLayout.allCases.map(\.rawValue)),
                        "How RGB is stored: contig (tifffile (H,W,3), the default), planar ((3,H,W) and "
                            + "(1,1,3,H,W)) or pages (one page per channel)."),
            FieldSchema("tiled", .boolean, "true (the default): tile_size tiles; false: strips of rows_per_strip rows."),
            FieldSchema("rows_per_strip", .integer(min: 1, max: 1_000_000), "Rows a strip when tiled is false (default 64)."),
            FieldSchema("predictor", .boolean, "Horizontal differencing before lzw or deflate (default false)."),
            FieldSchema("bigtiff", .boolean, "Force BigTIFF on or off (default: only when a file could pass 4 GB)."),
            FieldSchema("pyramid_levels", .integer(min: 0, max: 12),
                        "Reduced-resolution levels stored as SubIFDs, each half the previous (default 0)."),
            FieldSchema("jpeg_quality", .integer(min: 1, max: 100), "JPEG quality when compression is jpeg (default 90)."),
            FieldSchema("every_reader_path", .boolean, default: .bool(false),
                        "Cycle images through every TIFF layout (planar, page per channel, striped, BigTIFF, pyramid); "
                            + "the layout and compression fields may not be set with it."),
        ])
    }

    /// The fields that choose how each TIFF is written (`every_reader_path` chooses them all).
    static let layoutFields = ["compression", "tile_size", "layout", "tiled", "rows_per_strip", "predictor", "bigtiff",
                               "pyramid_levels", "jpeg_quality"]

    /// One task; refuses `every_reader_path` next to a layout field it would override.
    public func tasks(of stage: StageSpec, inputs: [InputArtifact]?) throws -> [TaskItem]? {
        if stage.config["every_reader_path"]?.boolValue == true,
           let field = Self.layoutFields.first(where: { stage.locations[$0] != nil }) {
            throw StageError("'\(field)' cannot be set together with every_reader_path, which chooses every image's "
                             + "layout and compression; remove one of them", at: stage.location(of: field))
        }
        return [.single]
    }

    /// How every TIFF is written, from the stage's layout fields.
    static func tiffOptions(_ config: JSONValue) -> TiffWriteOptions {
        let d = TiffWriteOptions()
        return TiffWriteOptions(
            compression: TiffCompression(rawValue: config["compression"]?.stringValue ?? "jpeg") ?? .jpeg,
            jpegQuality: config["jpeg_quality"]?.intValue ?? d.jpegQuality,
            predictor: config["predictor"]?.boolValue ?? d.predictor,
            tiled: config["tiled"]?.boolValue ?? d.tiled,
            tileSize: config["tile_size"]?.intValue ?? 512,
            rowsPerStrip: config["rows_per_strip"]?.intValue ?? d.rowsPerStrip,
            layout: config["layout"]?.stringValue.flatMap(TiffLayout.init(rawValue:)) ?? d.layout,
            bigTIFF: config["bigtiff"]?.boolValue,
            pyramidLevels: config["pyramid_levels"]?.intValue ?? d.pyramidLevels)
    }

    public var version: Int { 2 }  // 2: writes <id>-anatomical-structure.json

    public func run(_ context: TaskContext) async throws -> TaskOutcome {
        let config = context.stage.config
        let options = SyntheticKidneyOptions(
            images: config["images"]?.intValue ?? 6, side: config["side"]?.intValue ?? 4096,
            seed: UInt64(config["seed"]?.intValue ?? 1), labels: config["labels"]?.boolValue ?? true,
            testImages: config["test_images"]?.intValue ?? 0,
            glomeruliPerMegapixel: config["glomeruli_per_megapixel"]?.doubleValue ?? 1.5,
            tiff: Self.tiffOptions(config),
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
