import Foundation
import Imaging
import PipeCore
import PipeSpec

/// `kind: tile`: cuts every source image into filtered, downscaled tiles
/// (DESIGN §1), one cached task per image and per external set, so adding an
/// image or a data source tiles only what is new. Each task writes
/// `tiles.bin` (a memory-mappable shard), `manifest.json` (counts,
/// normalisation sums, and `kind`: `image` or `external`, so training knows
/// what folds may hold out) and `preview.png` (a contact sheet).
public struct TileStage: StageImplementation {
    public init() {}

    public var version: Int { 2 }

    public var schema: StageKindSchema {
        StageKindSchema(name: "tile", summary: "Cut source images into filtered tiles, one cached task per image.", fields: [
            FieldSchema("from", .references, required: true,
                        "Kaggle-layout data sources (train/*.tiff + train.csv) and external sets (images/ + masks/)."),
            FieldSchema("size", .integer(min: 16, max: 4096), default: .int(256), "Tile side after downscaling."),
            FieldSchema("reduce", .integer(min: 1, max: 64), default: .int(4), "Downscale factor (area average)."),
            FieldSchema("overlap", .integer(min: 0, max: 4095), default: .int(0), "Overlap between neighbouring tiles, in tile pixels."),
            FieldSchema("shift", .boolean, default: .bool(false), "Add a second grid shifted by half a window."),
            FieldSchema("saturation", .integer(min: 0, max: 255), default: .int(40), "HSV saturation a tissue pixel exceeds."),
            FieldSchema("min_pixels", .integer(min: 0, max: 1 << 40),
                        "Tissue pixels (and channel sum) a kept tile exceeds; default 1000*(size/256)^2."),
            FieldSchema("keep_masked", .boolean, default: .bool(false), "Keep tiles with mask pixels even when they fail the filter."),
            FieldSchema("mask", .oneOf(["rle", "polygons"]), default: .string("rle"),
                        "Where masks come from: train.csv RLE or the polygon JSON beside each image."),
            FieldSchema("preview", .integer(min: 0, max: 64), default: .int(16), "Tiles on the preview contact sheet."),
            FieldSchema("description", .string, "What the stage is for."),
        ])
    }

    /// One task per source. Each train.csv is read once here: its rows are
    /// checked against the images, and each image's row digest travels in the
    /// task item so keying a task never re-reads the table.
    public func tasks(of stage: StageSpec, inputs: [InputArtifact]?) throws -> [TaskItem]? {
        guard let inputs else { return nil }
        let sources = try TileSource.discover(inputs)
        var rowDigests: [String: Digest] = [:]
        if stage.config["mask"]?.stringValue != "polygons" {
            for input in inputs where input.manifest?.entries.contains(where: { $0.path == "train.csv" }) == true {
                let ids = Set(sources.filter { $0.input == input.name }.map(\.index))
                let table = try TrainTable(directory: input.path)
                if let orphan = table.rows.keys.sorted().first(where: { !ids.contains($0) }) {
                    throw StageError("\(input.name)/train.csv names image '\(orphan)', but there is no train/\(orphan).tiff")
                }
                for id in ids { rowDigests[id] = Digest.of(Data((table.rows[id] ?? "").utf8)) }
            }
        }
        return sources.map { source in
            TaskItem(index: source.index, value: rowDigests[source.index].map { .object(["mask_row": .string($0.hex)]) } ?? .null)
        }
    }

    /// The mask table is read to list (and key) the tasks.
    public var filesReadToList: Set<String> { ["train.csv"] }

    /// The images enter the key by content, per task.
    public var unkeyedFields: Set<String> { ["from"] }

    /// Each task is keyed on its own image and mask only.
    public func keyInputs(of stage: StageSpec, item: TaskItem, inputs: [InputArtifact]) throws -> [String: Digest] {
        guard let source = try TileSource.discover(inputs).first(where: { $0.index == item.index }),
              let input = inputs.first(where: { $0.name == source.input }) else { return [:] }
        switch source {
        case .external:
            return [input.name: input.digest]
        case .image(_, let id, let image, let polygons):
            var digests = ["\(input.name)/\(image)": input.digest(of: image) ?? input.digest]
            if stage.config["mask"]?.stringValue == "polygons", let polygons, let digest = input.digest(of: polygons) {
                digests["\(input.name)/\(polygons)"] = digest
            } else {
                let row = item.value["mask_row"]?.stringValue.flatMap(Digest.init(hex:)) ?? Digest.of(Data())
                digests["\(input.name)/train.csv[\(id)]"] = row
            }
            return digests
        }
    }

    public func run(_ context: TaskContext) async throws -> TaskOutcome {
        let settings = TileSettings(context.stage.config)
        guard let source = try TileSource.discover(context.inputs).first(where: { $0.index == context.item.index }),
              let input = context.input(source.input) else {
            throw StageError("tile source '\(context.item.index ?? "")' vanished from its input", at: context.stage.location)
        }
        let output = try TileOutput(directory: context.outputDirectory, settings: settings, source: source.index,
                                    kind: source.manifestKind)
        var warnings: [String] = []
        switch source {
        case .image(_, let id, let image, let polygons):
            let mask = try TileMaskSource(settings: settings, input: input, id: id, polygons: polygons, warnings: &warnings)
            try tileImage(input.path.appendingPathComponent(image).path, mask: mask, settings: settings, output: output,
                          context: context)
        case .external:
            try tileExternal(input.path, settings: settings, output: output, context: context)
        }
        let metrics = try output.finish()
        return TaskOutcome(metrics: metrics, log: warnings.joined(separator: "\n"))
    }
}
