import Foundation
import Imaging
import Testing
import TestSupport

/// Sizes, offsets and counts from headers and options are checked before they are used: hostile
/// values give an `ImagingError` naming the file and the field, never a trap or a giant allocation.
@Suite struct HostileInputTests {
    static func expectError(_ code: ImagingError.Code, _ phrases: [String], _ body: () throws -> Void) {
        #expect {
            try body()
        } throws: { error in
            guard let e = error as? ImagingError else { return false }
            return e.code == code && phrases.allSatisfy(e.description.contains)
        }
    }

    static var regressions: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fuzz/regressions")
    }

    @Test func cropOriginsThatWouldOverflowAreRefused() throws {
        let dir = try TemporaryDirectory("hostile")
        defer { dir.remove() }
        let png = dir.file("a.png").path
        try PNGFile.write(PixelImage(width: 8, height: 8, channels: 3, pixels: [UInt8](repeating: 7, count: 192)), path: png)
        for (x, y) in [(Int.max, 0), (0, Int.min), (Int.max - 3, Int.max - 3), (-(1 << 40), 0)] {
            Self.expectError(.invalidArgument, [png, "window", "is outside the range"]) {
                _ = try ImageSummary.window(path: png, level: 0, x: x, y: y, w: 4, h: 4, reduce: 1)
            }
        }
        let tif = dir.file("a.tif").path
        let writer = try TiffWriter(path: tif, width: 8, height: 8, channels: 3, options: .init(compression: .deflate, tileSize: 16))
        let band = [UInt8](repeating: 9, count: 8 * 8 * 3)
        try band.withUnsafeBufferPointer { try writer.write(band: $0, rows: 8) }
        try writer.finish()
        let reader = try TiffReader(path: tif)
        Self.expectError(.invalidArgument, [tif, "window x 9223372036854775807"]) {
            _ = try reader.readWindow(x: .max, y: 0, width: 4, height: 4)
        }
        Self.expectError(.invalidArgument, [tif, "window y"]) {
            try reader.readReduced(x: 0, y: .min + 1, width: 4, height: 4, reduce: 2) { _, _ in }
        }
        // a window just inside the range is fine and reads zeros
        #expect(try reader.readWindow(x: 1 << 32, y: -(1 << 32), width: 4, height: 4) == [UInt8](repeating: 0, count: 48))
    }

    @Test func windowsOverTheBudgetAreRefusedBeforeAllocating() throws {
        let dir = try TemporaryDirectory("hostile")
        defer { dir.remove() }
        let png = dir.file("a.png").path
        try PNGFile.write(PixelImage(width: 2, height: 2, channels: 1, pixels: [1, 2, 3, 4]), path: png)
        Self.expectError(.tooLarge, [png, "window 100000 x 100000", "PIPE_MAX_PIXELS"]) {
            _ = try ImageSummary.window(path: png, level: 0, x: 0, y: 0, w: 100_000, h: 100_000, reduce: 1)
        }
        Self.expectError(.tooLarge, [png, "PIPE_MAX_BYTES"]) {   // 2^32 pixels pass the pixel budget, not the byte budget
            _ = try ImageSummary.window(path: png, level: 0, x: 0, y: 0, w: 65536, h: 65536, reduce: 1)
        }
        Self.expectError(.tooLarge, ["largest side"]) { _ = try ImageLimits.pixels(4_294_967_296, 1, field: "mask size", path: nil) }
        Self.expectError(.tooLarge, ["more than 9223372036854775807 bytes"]) {
            _ = try ImageLimits.bytes(Int.max, 3, field: "buffer", path: nil)
        }
    }

    /// A PNG header claiming 100000 x 100000 pixels (10^10): refused whole, windowed and streamed.
    @Test func pngOfTenGigapixelsIsRefused() throws {
        let dir = try TemporaryDirectory("hostile")
        defer { dir.remove() }
        let path = dir.file("huge.png").path
        try ErrorTests.craftedPNG(width: 100_000, height: 100_000, interlaced: false).write(to: URL(fileURLWithPath: path))
        Self.expectError(.tooLarge, [path, "PNG header size 100000 x 100000", "PIPE_MAX_PIXELS"]) {
            _ = try ImageSummary.window(path: path, level: 0, x: 0, y: 0, w: 64, h: 64, reduce: 1)
        }
        Self.expectError(.tooLarge, [path, "100000 x 100000"]) { _ = try PNGFile.size(path: path) }
        #expect(try ImageSummary.of(path: path).width == 100_000)   // `image info` shows the header as it is
    }

    /// The 170-byte damaged PNG that used to take 898 MB: its header claims 17300 x 17300 interlaced
    /// RGB, which no 170-byte file can hold; refused as damaged before any pixel buffer is allocated.
    @Test func damagedSmallPNGClaimingAHugeImageIsRefusedAsDamaged() throws {
        let path = Self.regressions.appendingPathComponent("png/damaged-interlaced-17300x17300.png").path
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)).count == 170)
        let phrases = [path, "17300 x 17300", "more than a 170-byte file can hold"]
        Self.expectError(.corrupt, phrases) { _ = try PNGFile.read(path: path) }
        Self.expectError(.corrupt, phrases) { try PNGFile.readRows(path: path, channels: 1, keep: false) { _, _ in } }
        Self.expectError(.corrupt, phrases) { _ = try ImageSummary.window(path: path, level: 0, x: 0, y: 0, w: 8, h: 8, reduce: 1) }
    }

    /// The plausibility bound never refuses a valid file: a blank 4000 x 4000 PNG compresses about
    /// 1000:1, close to deflate's limit, and still reads.
    @Test func highlyCompressedValidPNGStillReads() throws {
        let dir = try TemporaryDirectory("hostile")
        defer { dir.remove() }
        let path = dir.file("blank.png").path
        try PNGFile.write(path: path, width: 4000, height: 4000, channels: 1, compressionLevel: 9) { _, row in
            for i in row.indices { row[i] = 0 }
        }
        let size = try #require(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
        #expect(size * 500 < 4000 * 4000, "the fixture should compress well over 500:1, got \(size) bytes")
        var rows = 0
        try PNGFile.readRows(path: path, channels: 1, keep: false) { _, _ in rows += 1 }
        #expect(rows == 4000)
    }

    @Test func pngWriteRefusesSizesNoPNGCanHave() throws {
        let dir = try TemporaryDirectory("hostile")
        defer { dir.remove() }
        let path = dir.file("out.png").path
        Self.expectError(.tooLarge, [path, "4294967296 x 1"]) {
            try PNGFile.write(path: path, width: 4_294_967_296, height: 1, channels: 1) { _, _ in }
        }
    }

    /// A tiled TIFF whose header claims 4096 x 4096 deflate tiles in a file of a few hundred bytes.
    @Test func tiffTileLargerThanTheFileCanHoldIsRefused() throws {
        let dir = try TemporaryDirectory("hostile")
        defer { dir.remove() }
        let path = dir.file("tiles.tif").path
        let entries: [(UInt16, UInt16, UInt32)] = [(256, 4, 8192), (257, 4, 8192), (258, 3, 8), (259, 3, 8), (262, 3, 1),
                                                   (277, 3, 1), (322, 4, 4096), (323, 4, 4096), (324, 4, 512), (325, 4, 64)]
        try ErrorTests.craftedTIFF(entries).write(to: URL(fileURLWithPath: path))
        Self.expectError(.corrupt, [path, "4096 x 4096", "more than this", "deflate"]) { _ = try TiffReader(path: path) }
    }

    @Test func tileShardWithHostileHeaderIsRefused() throws {
        let dir = try TemporaryDirectory("hostile")
        defer { dir.remove() }
        func shard(size: UInt32, count: UInt32, indexOffset: UInt64, stride: UInt64) -> Data {
            var d = Data(TileShard.magic)
            for v in [UInt32(1), size, 0, count] { withUnsafeBytes(of: v.littleEndian) { d.append(contentsOf: $0) } }
            for v in [indexOffset, stride] { withUnsafeBytes(of: v.littleEndian) { d.append(contentsOf: $0) } }
            d.append(Data(count: 64 - d.count + 40))
            return d
        }
        let cases: [(Data, String)] = [
            (shard(size: 0, count: 1, indexOffset: 64, stride: 0), "'size' is 0"),
            (shard(size: 4_000_000_000, count: 1, indexOffset: 64, stride: 0), "'size' is 4000000000"),
            (shard(size: 16, count: .max, indexOffset: .max, stride: .max), "disagree"),
            (shard(size: 16, count: 1 << 31, indexOffset: 64 + (1 << 31) * 1024, stride: 1024), "disagree"),
        ]
        for (i, (bytes, phrase)) in cases.enumerated() {
            let path = dir.file("s\(i).bin").path
            try bytes.write(to: URL(fileURLWithPath: path))
            Self.expectError(.corrupt, [path, phrase]) { _ = try TileShardReader(path: path) }
        }
    }

    /// Coordinates of 1e300 used to trap when rasterised (Double to Int).
    @Test func polygonCoordinatesOutsideAnyImageAreRefused() throws {
        let json = #"[{"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [[[0, 0], [1e300, 0], [5, -1e300]]]}}]"#
        Self.expectError(.malformedPolygon, ["a.json", "feature 0", "outside the range"]) {
            _ = try PolygonFile.parse(Data(json.utf8), source: "a.json")
        }
        let fine = #"[{"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [[[0, 0], [8, 0], [8, 8]]]}}]"#
        let polygons = try PolygonFile.parse(Data(fine.utf8), source: "b.json")
        #expect(PolygonRaster.window(polygons, x: 0, y: 0, width: 8, height: 8).reduce(0) { $0 + Int($1) } > 0)
    }

    @Test func tiffTilesBelowTheMinimumAreRefused() throws {
        let dir = try TemporaryDirectory("hostile")
        defer { dir.remove() }
        let path = dir.file("tiny-tiles.tif").path
        let entries: [(UInt16, UInt16, UInt32)] = [(256, 4, 64), (257, 4, 64), (258, 3, 8), (259, 3, 1), (262, 3, 1),
                                                   (277, 3, 1), (322, 4, 1), (323, 4, 1), (324, 4, 512), (325, 4, 1)]
        try ErrorTests.craftedTIFF(entries).write(to: URL(fileURLWithPath: path))
        Self.expectError(.unsupported, [path, "tile of 1 x 1 is below"]) { _ = try TiffReader(path: path) }
    }

    /// A window over very many tiles is decoded one tile row at a time (a short job list); the
    /// pixels are the same as reading it in small windows.
    @Test func windowOverManyTilesDecodesTheSamePixels() throws {
        let dir = try TemporaryDirectory("hostile")
        defer { dir.remove() }
        let path = dir.file("many.tif").path, side = 4096
        let writer = try TiffWriter(path: path, width: side, height: side, channels: 3, options: .init(compression: .none, tileSize: 16))
        for i in 0..<(side / 16) {
            let band = Fixtures.image(width: side, height: 16, seed: UInt64(i % 7))
            try band.withUnsafeBufferPointer { try writer.write(band: $0, rows: 16) }
        }
        try writer.finish()
        let reader = try TiffReader(path: path)
        let whole = try reader.readWindow(x: -8, y: 8, width: side, height: side - 16, threads: 2)
        for (y, h) in [(8, 2040), (2048, 2032)] {
            let part = try reader.readWindow(x: -8, y: y, width: side, height: h, threads: 2)
            let offset = (y - 8) * side * 3
            #expect(Array(whole[offset..<(offset + part.count)]) == part)
        }
    }

    /// Found by the png fuzzer: a tEXt chunk declaring 1.9 GB made libpng allocate it before reading
    /// (its length check only warns). Metadata chunks are now skipped unread. The memory this takes
    /// is measured in a process of its own (HostileInputCLITests), not here beside other tests.
    @Test func pngMetadataChunkWithAHugeLengthIsSkippedNotAllocated() throws {
        let path = Self.regressions.appendingPathComponent("png/oom-text-chunk-claims-1.9GB.png").path
        Self.expectError(.corrupt, [path, "not a readable PNG"]) { _ = try ImageSummary.of(path: path) }
        Self.expectError(.corrupt, [path]) { _ = try PNGFile.read(path: path) }
    }
}
