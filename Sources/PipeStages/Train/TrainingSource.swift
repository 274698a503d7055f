import Foundation
import Imaging
import PipeCore

/// One tile shard of the training input: an image's tiles, or one
/// materialized augmented copy of them (`aug-<c>.bin`, training only).
struct TrainingShard: Sendable {
    /// The source image id (the folder name), or the external set's name.
    let image: String
    /// True for an external set: always trained on, never held out.
    let external: Bool
    /// 0 for the original tiles, c for `aug-<c>.bin`.
    let copy: Int
    let reader: TileShardReader
}

/// What `train` reads from its `from` input: an augment output (`policy.json`
/// + `tiles/<image>/tiles.bin`, `aug-<c>.bin`, `manifest.json`) or a tile
/// output (`<image>/tiles.bin` + `manifest.json`).
struct TrainingSource: Sendable {
    let shards: [TrainingShard]
    /// The online augmentation of an augment input; nil for a tile input.
    let policy: AugmentationPolicy?
    /// Per-image normalisation sums from the tile manifests.
    let statistics: [String: TileStatistics]
    /// Tile side and downscale factor (from the manifests).
    let size: Int
    let reduce: Int

    init(_ input: InputArtifact, location: SourceLocation) throws {
        let root = input.path
        let policyFile = root.appendingPathComponent("policy.json")
        if let data = try? Data(contentsOf: policyFile) {
            do { policy = try AugmentStage.policy(config: try JSONValue(parsing: data)) } catch {
                throw StageError("'\(input.name)/policy.json' is not an augmentation policy: \(error)", at: location)
            }
        } else {
            policy = nil
        }
        let files = (FileManager.default.enumerator(atPath: root.path)?.compactMap { $0 as? String } ?? []).sorted()
        var shards: [TrainingShard] = [], statistics: [String: TileStatistics] = [:]
        var geometry: (size: Int, reduce: Int)?
        for relative in files where relative.hasSuffix("/manifest.json") || relative == "manifest.json" {
            let folder = (relative as NSString).deletingLastPathComponent
            let directory = folder.isEmpty ? root : root.appendingPathComponent(folder)
            guard FileManager.default.fileExists(atPath: directory.appendingPathComponent("tiles.bin").path) else { continue }
            let manifest = try Self.manifest(directory.appendingPathComponent("manifest.json"), name: "\(input.name)/\(relative)",
                                              location: location)
            let image = manifest["source"]?.stringValue ?? (folder.isEmpty ? input.name : (folder as NSString).lastPathComponent)
            let external = manifest["kind"]?.stringValue == "external"
            let size = manifest["size"]?.intValue ?? 0, reduce = manifest["reduce"]?.intValue ?? 1
            if let geometry, geometry != (size, reduce) {
                throw StageError("tiles of '\(image)' are \(size) px at reduce \(reduce), others \(geometry.size) px at reduce \(geometry.reduce); tile every image alike",
                                 at: location)
            }
            geometry = (size, reduce)
            statistics[image] = Self.statistics(manifest)
            for (copy, name) in Self.shardFiles(in: directory) {
                let reader: TileShardReader
                do { reader = try TileShardReader(path: directory.appendingPathComponent(name).path) } catch {
                    throw StageError("\(error)", at: location)
                }
                shards.append(TrainingShard(image: image, external: external, copy: copy, reader: reader))
            }
        }
        guard let geometry, !shards.isEmpty else {
            throw StageError("'\(input.name)' holds no tiles.bin with a manifest.json; train reads a tile or augment stage's output",
                             at: location)
        }
        self.shards = shards
        self.statistics = statistics
        (size, reduce) = geometry
    }

    /// `tiles.bin` (copy 0) and every `aug-<c>.bin` in `directory`, by copy number.
    static func shardFiles(in directory: URL) -> [(Int, String)] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        let copies = names.compactMap { name -> (Int, String)? in
            guard name.hasPrefix("aug-"), name.hasSuffix(".bin"), let c = Int(name.dropFirst(4).dropLast(4)) else { return nil }
            return (c, name)
        }
        return [(0, "tiles.bin")] + copies.sorted { $0.0 < $1.0 }
    }

    static func manifest(_ url: URL, name: String, location: SourceLocation) throws -> JSONValue {
        do { return try JSONValue(parsing: try Data(contentsOf: url)) } catch {
            throw StageError("cannot read tile manifest '\(name)': \(error)", at: location)
        }
    }

    /// The exact integer sums a tile manifest records.
    static func statistics(_ manifest: JSONValue) -> TileStatistics {
        var statistics = TileStatistics()
        statistics.pixels = UInt64(max(0, manifest["pixels"]?.intValue ?? 0))
        let sums = manifest["sum"]?.arrayValue?.compactMap(\.intValue) ?? []
        let squares = manifest["sum_of_squares"]?.arrayValue?.compactMap(\.intValue) ?? []
        if sums.count == 3, squares.count == 3 {
            statistics.sum = sums.map { UInt64(max(0, $0)) }
            statistics.sumOfSquares = squares.map { UInt64(max(0, $0)) }
        }
        return statistics
    }

    /// Distinct image ids of Kaggle images (what folds hold out), sorted.
    var heldOutCandidates: [String] { Set(shards.filter { !$0.external }.map(\.image)).sorted() }
}
