import Crypto
import Foundation
import Imaging
import TestSupport
import Testing

/// Tiles a synthetic image in Swift and with the independent numpy recipe
/// (scripts/tiling/reference_tiles.py) and compares the kept-tile set,
/// coordinates and pixel values.
@Test(.enabled(if: pythonHas("numpy", "tifffile")), arguments: [(64, 4), (128, 2), (100, 3)])
func tilerMatchesTheNumpyRecipe(size: Int, reduce: Int) throws {
    let dir = try TemporaryDirectory("tiling")
    defer { dir.remove() }
    let options = SyntheticKidneyOptions(images: 1, side: 900, seed: 11,
                                         tiff: TiffWriteOptions(compression: .deflate, tileSize: 256))
    try SyntheticKidney.generate(options, into: dir.url, threads: 2)
    let image = try #require(try FileManager.default.contentsOfDirectory(atPath: dir.file("train").path)
        .first { $0.hasSuffix(".tiff") })
    let id = String(image.dropLast(5))
    let csv = try String(contentsOf: dir.file("train.csv"), encoding: .utf8)
    let rle = try #require(csv.split(separator: "\n").first { $0.hasPrefix("\(id),") }).split(separator: ",")[1]
    try dir.write("mask.rle", String(rle))

    let minPixels = TileFilter.defaultMinPixels(size: size)
    let reader = try TiffReader(path: dir.file("train/\(image)").path)
    let mask = try RLEMask(rle: String(rle), width: reader.info.width, height: reader.info.height)
    let tiler = ImageTiler(grid: TileGrid(imageWidth: reader.info.width, imageHeight: reader.info.height, size: size, reduce: reduce),
                           filter: TileFilter(saturation: 40, minPixels: minPixels), keepMasked: false)
    var mine: [[String: String]] = [], streamed: [[String: String]] = []
    func record(_ tile: ImageTiler.Tile) -> [String: String] {
        let digest = SHA256.hash(data: Data(tile.rgb + tile.mask)).map { String(format: "%02x", $0) }.joined()
        return ["x": "\(tile.entry.x)", "y": "\(tile.entry.y)", "mask": "\(tile.entry.maskPixels)", "sha": digest]
    }
    _ = try tiler.run(threads: 2, read: { x, y, w, h in
        (try reader.readWindow(x: x, y: y, width: w, height: h, reduce: reduce, threads: 1),
         mask.window(x: x, y: y, width: w, height: h, reduce: reduce, mode: .nearest))
    }, emit: { mine.append(record($0)) })
    _ = try tiler.run(reader: reader, mask: mask, threads: 2, emit: { streamed.append(record($0)) })
    #expect(streamed == mine)

    let script = PipeRepository.root.appendingPathComponent("scripts/tiling/reference_tiles.py").path
    let result = try runProcess("python3", [script, dir.file("train/\(image)").path, dir.file("mask.rle").path,
                                            "\(size)", "\(reduce)", "40", "\(minPixels)"])
    #expect(result.status == 0, "\(result.stderr)")
    let reference = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
    let tiles = try #require(reference?["tiles"] as? [[String: Any]])
    let theirs = tiles.map { ["x": "\($0["x"]!)", "y": "\($0["y"]!)", "mask": "\($0["mask_pixels"]!)", "sha": "\($0["sha256"]!)"] }
    #expect(mine.count > 2, "the synthetic image should have tissue tiles")
    #expect(mine == theirs)
}

/// The tiler's output does not depend on how many threads read bands.
@Test func tilingIsDeterministicAcrossThreadCounts() throws {
    let dir = try TemporaryDirectory("tiling")
    defer { dir.remove() }
    try SyntheticKidney.generate(SyntheticKidneyOptions(images: 1, side: 700, seed: 5), into: dir.url, threads: 2)
    let image = try #require(try FileManager.default.contentsOfDirectory(atPath: dir.file("train").path).first { $0.hasSuffix(".tiff") })
    let reader = try TiffReader(path: dir.file("train/\(image)").path)
    let grid = TileGrid(imageWidth: reader.info.width, imageHeight: reader.info.height, size: 64, reduce: 2, overlap: 16, shifted: true)
    func tiles(threads: Int) throws -> [[UInt8]] {
        var out: [[UInt8]] = []
        _ = try ImageTiler(grid: grid, filter: TileFilter(minPixels: 200), keepMasked: false).run(threads: threads, read: { x, y, w, h in
            (try reader.readWindow(x: x, y: y, width: w, height: h, reduce: 2, threads: 1), [UInt8](repeating: 0, count: w * h / 4))
        }, emit: { out.append($0.rgb + [UInt8(truncatingIfNeeded: $0.entry.x), UInt8(truncatingIfNeeded: $0.entry.grid)]) })
        return out
    }
    func streamed(threads: Int) throws -> [[UInt8]] {
        var out: [[UInt8]] = []
        _ = try ImageTiler(grid: grid, filter: TileFilter(minPixels: 200), keepMasked: false).run(
            reader: reader, mask: RLEMask(width: reader.info.width, height: reader.info.height), threads: threads,
            emit: { out.append($0.rgb + [UInt8(truncatingIfNeeded: $0.entry.x), UInt8(truncatingIfNeeded: $0.entry.grid)]) })
        return out
    }
    let one = try tiles(threads: 1)
    #expect(!one.isEmpty)
    #expect(try tiles(threads: 3) == one)
    #expect(try streamed(threads: 1) == one)
    #expect(try streamed(threads: 3) == one)
}

@Test func tileGridPadsCentredAndShifts() {
    let grid = TileGrid(imageWidth: 1000, imageHeight: 600, size: 256, reduce: 2, overlap: 0, shifted: true)
    #expect(grid.window == 512)
    #expect(grid.paddedWidth == 1024 && grid.paddedHeight == 1024)
    #expect(grid.padLeft == 12 && grid.padTop == 212)
    #expect(grid.rowTops(grid: 0) == [-212, 300])
    #expect(grid.row(at: 0, grid: 0).map(\.x) == [-12, 500])
    #expect(grid.rowTops(grid: 1) == [44])
    #expect(grid.row(at: 0, grid: 1).map(\.x) == [244])
    #expect(grid.windowCount == 5)
}

@Test func tileShardRoundTripsAndRejectsTruncation() throws {
    let dir = try TemporaryDirectory("shard")
    defer { dir.remove() }
    let path = dir.file("tiles.bin").path
    let writer = try TileShardWriter(path: path, size: 4)
    var rng = SeededRandom(seed: 3)
    var written: [([UInt8], [UInt8])] = []
    for i in 0..<5 {
        let rgb = (0..<48).map { _ in UInt8.random(in: 0...255, using: &rng) }, mask = (0..<16).map { _ in UInt8.random(in: 0...1, using: &rng) }
        try rgb.withUnsafeBufferPointer { r in try mask.withUnsafeBufferPointer { m in
            try writer.append(rgb: r, mask: m, entry: TileShard.Entry(x: i * 8 - 3, y: -i, grid: i % 2, reduce: 2,
                                                                       maskPixels: mask.reduce(0) { $0 + Int($1) }, saturatedPixels: i))
        } }
        written.append((rgb, mask))
    }
    try writer.finish()
    let reader = try TileShardReader(path: path)
    #expect(reader.count == 5)
    #expect(reader.entries[3] == TileShard.Entry(x: 21, y: -3, grid: 1, reduce: 2, maskPixels: written[3].1.reduce(0) { $0 + Int($1) }, saturatedPixels: 3))
    for i in 0..<5 {
        reader.withTile(i) { rgb, mask in
            #expect(Array(rgb) == written[i].0)
            #expect(Array(mask) == written[i].1)
        }
    }
    let data = try Data(contentsOf: URL(fileURLWithPath: path))
    try data.prefix(data.count - 10).write(to: URL(fileURLWithPath: path))
    #expect(throws: ImagingError.self) { try TileShardReader(path: path) }
}
