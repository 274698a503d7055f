import Foundation
import Imaging
import PipeCore
@testable import PipeStages
import TestSupport

/// A tile stage's output written by hand: `<id>/tiles.bin` + `manifest.json`
/// per image, tiles of `side` px whose masks mark the bright half of every
/// other tile, plus one external set.
enum TrainFixtures {
    static func tileOutput(in root: URL, images: [String], external: String? = nil, tiles: Int = 4, side: Int = 32) throws {
        var rng = SeededRandom(seed: 3)
        for (id, kind) in images.map({ ($0, "image") }) + (external.map { [($0, "external")] } ?? []) {
            let folder = root.appendingPathComponent(id)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let writer = try TileShardWriter(path: folder.appendingPathComponent("tiles.bin").path, size: side)
            var statistics = TileStatistics()
            for t in 0..<tiles {
                var rgb = [UInt8](repeating: 0, count: side * side * 3), mask = [UInt8](repeating: 0, count: side * side)
                for p in 0..<(side * side) {
                    let inside = t % 2 == 0 && p % side < side / 2
                    mask[p] = inside ? 1 : 0
                    for c in 0..<3 { rgb[p * 3 + c] = UInt8(clamping: (inside ? 180 : 60) + Int(rng.float(-20, 20))) }
                }
                let entry = TileShard.Entry(x: t * side, y: 0, grid: 0, reduce: 1, maskPixels: mask.reduce(0) { $0 + Int($1) },
                                            saturatedPixels: side * side)
                try rgb.withUnsafeBufferPointer { r in try mask.withUnsafeBufferPointer { try writer.append(rgb: r, mask: $0, entry: entry) } }
                rgb.withUnsafeBufferPointer { statistics.add($0) }
            }
            try writer.finish()
            let manifest: JSONValue = .object([
                "source": .string(id), "kind": .string(kind), "size": .int(side), "reduce": .int(1), "tiles": .int(tiles),
                "pixels": .int(Int(statistics.pixels)), "sum": .array(statistics.sum.map { .int(Int($0)) }),
                "sum_of_squares": .array(statistics.sumOfSquares.map { .int(Int($0)) }),
            ])
            try Data(manifest.prettyString.utf8).write(to: folder.appendingPathComponent("manifest.json"))
        }
    }
}
