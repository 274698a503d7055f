import Foundation
import Imaging
import PipeCore
import PipeSpec

/// `kind: augment`: a seeded augmentation policy that training applies online
/// per batch, plus, with `copies: k`, k augmented variants of every tile
/// materialized once and cached. Output: `policy.json`, `tiles/<image>/`
/// (the input shards, hard-linked, and `aug-<c>.bin` copies), `preview.png`.
/// Changing a probability reruns this stage and what follows, never tile.
public struct AugmentStage: StageImplementation {
    public init() {}

    public var schema: StageKindSchema { AugmentSchema.schema }
    public var version: Int { 1 }

    /// The policy part of the config, decoded as `AugmentationPolicy`.
    static func policy(_ stage: StageSpec) throws -> AugmentationPolicy {
        do { return try policy(config: stage.config) } catch {
            throw StageError("invalid augmentation policy: \(error)", at: stage.location)
        }
    }

    /// The policy of an augment config (the stage's config, or its output's
    /// `policy.json`): the transform keys, decoded as `AugmentationPolicy`.
    static func policy(config: JSONValue) throws -> AugmentationPolicy {
        let transforms = (config.objectValue ?? [:]).filter { AugmentationPolicy.transformNames.contains($0.key) }
        return try JSONDecoder().decode(AugmentationPolicy.self, from: JSONValue.object(transforms).canonicalData)
    }

    public func run(_ context: TaskContext) async throws -> TaskOutcome {
        let stage = context.stage
        let augmenter = Augmenter(policy: try Self.policy(stage))
        let seed = UInt64(stage.config["seed"]?.intValue ?? 0), copies = stage.config["copies"]?.intValue ?? 0
        guard let input = context.inputs.first else { throw StageError("augment needs a tile stage in 'from'", at: stage.location) }
        let shards = try Self.shards(in: input.path)
        guard !shards.isEmpty else {
            throw StageError("'\(input.name)' holds no tiles.bin; augment reads a tile stage's output", at: stage.location(of: "from"))
        }
        let output = context.outputDirectory
        try Data(stage.config.prettyString.utf8).write(to: output.appendingPathComponent("policy.json"))
        let previewCount = stage.config["preview"]?.intValue ?? 16
        let columns = max(1, Int(Double(previewCount).squareRoot().rounded(.up)))
        var sheet = ContactSheet(columns: columns, rows: max(1, (previewCount + columns - 1) / columns), cell: 128)
        var written = 0
        for (number, shard) in shards.enumerated() {
            let folder = output.appendingPathComponent("tiles/\(shard.id)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            for name in ["tiles.bin", "manifest.json"] {
                let source = shard.directory.appendingPathComponent(name)
                guard FileManager.default.fileExists(atPath: source.path) else { continue }
                try FileManager.default.linkItem(at: source, to: folder.appendingPathComponent(name))
            }
            let reader: TileShardReader
            do { reader = try TileShardReader(path: shard.directory.appendingPathComponent("tiles.bin").path) } catch {
                throw StageError("\(error)")
            }
            for copy in 0..<copies {
                written += try Self.writeCopy(reader, copy: copy, seed: seed, id: shard.id, augmenter: augmenter,
                                              to: folder.appendingPathComponent("aug-\(copy + 1).bin").path)
            }
            Self.addPreview(reader, id: shard.id, seed: seed, augmenter: augmenter, sheet: &sheet, quota: previewCount / max(1, shards.count) + 1)
            context.progress(Double(number + 1) / Double(shards.count), shard.id)
        }
        if previewCount > 0 {
            do { try PNGFile.write(sheet.image, path: output.appendingPathComponent("preview.png").path) } catch {
                throw StageError("\(error)")
            }
        }
        return TaskOutcome(metrics: .object(["images": .int(shards.count), "augmented_tiles": .int(written)]))
    }

    /// The generator for one tile of one copy: independent of how many threads or tasks run.
    static func rng(seed: UInt64, id: String, copy: Int, tile: Int) -> AugmentationRNG {
        let name = Digest.of(Data("\(id)/\(copy)/\(tile)".utf8)).hex.prefix(16)
        return AugmentationRNG(seed: seed, stream: UInt64(name, radix: 16) ?? 0)
    }

    static func writeCopy(_ reader: TileShardReader, copy: Int, seed: UInt64, id: String, augmenter: Augmenter,
                          to path: String) throws -> Int {
        let writer = try TileShardWriter(path: path, size: reader.size)
        for index in 0..<reader.count {
            var (image, mask) = reader.withTile(index) { (Array($0), Array($1)) }
            var generator = rng(seed: seed, id: id, copy: copy + 1, tile: index)
            augmenter.apply(image: &image, mask: &mask, width: reader.size, height: reader.size, rng: &generator)
            var entry = reader.entries[index]
            entry.maskPixels = mask.reduce(0) { $0 + ($1 != 0 ? 1 : 0) }
            try image.withUnsafeBufferPointer { rgb in try mask.withUnsafeBufferPointer { try writer.append(rgb: rgb, mask: $0, entry: entry) } }
        }
        try writer.finish()
        return reader.count
    }

    static func addPreview(_ reader: TileShardReader, id: String, seed: UInt64, augmenter: Augmenter,
                           sheet: inout ContactSheet, quota: Int) {
        let step = max(1, reader.count / max(1, quota))
        for index in Swift.stride(from: 0, to: reader.count, by: step).prefix(quota) where !sheet.isFull {
            var (image, mask) = reader.withTile(index) { (Array($0), Array($1)) }
            var generator = rng(seed: seed, id: id, copy: 0, tile: index)
            augmenter.apply(image: &image, mask: &mask, width: reader.size, height: reader.size, rng: &generator)
            sheet.add(rgb: image, mask: mask, size: reader.size)
        }
    }

    /// The per-image folders holding `tiles.bin` under a tile stage's output.
    static func shards(in root: URL) throws -> [(id: String, directory: URL)] {
        let files = (FileManager.default.enumerator(atPath: root.path)?.compactMap { $0 as? String } ?? [])
            .filter { $0.hasSuffix("tiles.bin") }.sorted()
        return files.map { relative in
            let directory = root.appendingPathComponent(relative).deletingLastPathComponent()
            let id = relative.contains("/") ? directory.lastPathComponent : "tiles"
            return (id, directory)
        }
    }
}
