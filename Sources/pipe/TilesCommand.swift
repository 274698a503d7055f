import ArgumentParser
import Foundation
import Imaging

/// `pipe tiles export ARTIFACT --png DIR`: tiles and masks out as PNG files for inspection.
struct TilesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tiles", abstract: "Inspect tile artifacts.", subcommands: [Export.self])

    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write the tiles (and masks) of a tile artifact as PNG files.",
            discussion: "ARTIFACT is a tile output folder (runs/<pipeline>/<stage>, one image's folder in it, or a tiles.bin).")

        @Argument(help: "The tile artifact.") var artifact: String
        @Option(help: "Directory to write PNGs into.") var png: String
        @Option(help: "Export at most this many tiles per shard.") var limit: Int?

        /// Argument problems, thrown from `run` so they exit 2 through the one error renderer.

        func checkArguments() throws {
            if let limit, limit < 0 { throw Failure.usage("--limit '\(limit)' must be 0 or more") }
        }

        func run() throws {

            try checkArguments()
            let shards = try findShards(artifact)
            guard !shards.isEmpty else { throw Failure.usage("no tiles.bin under '\(artifact)'; give a tile stage's output folder") }
            try FileManager.default.createDirectory(atPath: png, withIntermediateDirectories: true)
            var written = 0
            for shard in shards {
                let reader: TileShardReader
                do { reader = try TileShardReader(path: shard) } catch { throw Failure.failed("\(error)") }
                let source = URL(fileURLWithPath: shard).deletingLastPathComponent().lastPathComponent
                written += try reader.exportPNG(to: png, prefix: source, limit: limit ?? .max)
            }
            print("wrote \(written) tiles (and masks) from \(shards.count) shard\(shards.count == 1 ? "" : "s") to \(png)")
        }

        func findShards(_ path: String) throws -> [String] {
            if path.hasSuffix(".bin") { return [path] }
            guard let walker = FileManager.default.enumerator(atPath: path) else {
                throw Failure.usage("cannot read '\(path)'")
            }
            return walker.compactMap { $0 as? String }.filter { $0.hasSuffix("tiles.bin") }.sorted().map { "\(path)/\($0)" }
        }
    }
}
