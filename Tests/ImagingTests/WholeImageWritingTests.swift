import Foundation
import Imaging
import Testing
import TestSupport

/// The writers the CLI's `image crop`, `rle decode` and `tiles export` call.

@Test func wholeImageTiffRoundTripsAcrossBandsAndRefusesAWrongByteCount() throws {
    let dir = try TemporaryDirectory("tiff-whole")
    defer { dir.remove() }
    let (w, h) = (37, 300)  // several bands of 16-row tiles
    let pixels = (0..<(w * h * 3)).map { UInt8(truncatingIfNeeded: $0 * 7) }
    let path = dir.file("w.tif").path
    try TiffWriter.write(pixels, width: w, height: h, channels: 3, path: path,
                         options: TiffWriteOptions(compression: .deflate, tileSize: 16))
    #expect(try TiffReader(path: path).readWindow(x: 0, y: 0, width: w, height: h) == pixels)
    #expect(throws: ImagingError.self) { try TiffWriter.write([1, 2], width: 2, height: 2, channels: 3, path: path) }
}

@Test func rleMaskWritesItsPNGBandByBand() throws {
    let dir = try TemporaryDirectory("rle-png")
    defer { dir.remove() }
    // A 5 x 7 mask (column-major, 1-indexed): pixels 3..6 of the first column and the last pixel.
    let mask = try RLEMask(rle: "3 4 35 1", width: 5, height: 7)
    let path = dir.file("m.png").path
    try mask.writePNG(path: path, bandRows: 2)
    let image = try PNGFile.read(path: path, channels: 1)
    #expect(image.width == 5 && image.height == 7)
    #expect(image.pixels == mask.window(x: 0, y: 0, width: 5, height: 7, value: 255))
    #expect(image.pixels.filter { $0 == 255 }.count == 5)
}

@Test func tileShardExportsTilesAndMasksAsNamedPNGsUpToALimit() throws {
    let dir = try TemporaryDirectory("tiles-png")
    defer { dir.remove() }
    let size = 4, shard = dir.file("tiles.bin").path
    let writer = try TileShardWriter(path: shard, size: size)
    for (index, origin) in [(0, 0), (16, -8), (32, 24)].enumerated() {
        let rgb = [UInt8](repeating: UInt8(10 * (index + 1)), count: size * size * 3)
        let mask = (0..<(size * size)).map { UInt8($0 % 2) }
        try rgb.withUnsafeBufferPointer { rgb in
            try mask.withUnsafeBufferPointer { mask in
                try writer.append(rgb: rgb, mask: mask, entry: TileShard.Entry(x: origin.0, y: origin.1, grid: index % 2, reduce: 1,
                                                                              maskPixels: 8, saturatedPixels: 16))
            }
        }
    }
    try writer.finish()
    let out = dir.file("png").path
    try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
    #expect(try TileShardReader(path: shard).exportPNG(to: out, prefix: "img1", limit: 2) == 2)
    #expect(try FileManager.default.contentsOfDirectory(atPath: out).sorted()
            == ["img1_g0_x0_y0.png", "img1_g0_x0_y0_mask.png", "img1_g1_x16_y-8.png", "img1_g1_x16_y-8_mask.png"])
    let second = try PNGFile.read(path: "\(out)/img1_g1_x16_y-8.png")
    #expect(second.width == size && second.pixels.allSatisfy { $0 == 20 })
    let mask = try PNGFile.read(path: "\(out)/img1_g1_x16_y-8_mask.png", channels: 1)
    #expect(mask.pixels == (0..<(size * size)).map { $0 % 2 == 1 ? 255 : 0 })
}
