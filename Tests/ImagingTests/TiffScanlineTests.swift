import Foundation
@testable import Imaging
import Testing
import TestSupport
import Synchronization

/// Strips too large to decode whole are read scanline by scanline. Compressed strips cannot seek, so
/// every window, from any row of any strip, must decode forward from the strip's start. The limit is
/// lowered here so small files take that path.
@Suite struct TiffScanlineTests {
    struct Strip: Decodable { var name, file: String; var rows_per_strip: Int; var lossy: Bool }

    static let width = 300, height = 240
    /// x, y, w, h, reduce: the first rows, mid-strip, across a strip boundary (96), back up to an
    /// earlier strip, inside the short last strip, past every edge, the whole image.
    static let windows: [(Int, Int, Int, Int, Int)] = [
        (0, 0, 64, 64, 1), (37, 50, 100, 30, 1), (10, 90, 64, 32, 1), (5, 20, 40, 40, 1), (5, 200, 40, 40, 1),
        (-16, -8, 96, 64, 4), (200, 150, 160, 120, 2), (0, 0, 320, 240, 8), (33, 101, 90, 93, 3),
    ]


    @Test(.enabled(if: pythonHas("tifffile", "numpy", "imagecodecs")))
    func everyCompressionReadsFromMidStrip() throws {
        let dir = try TemporaryDirectory("strips")
        defer { dir.remove() }
        let made = try runProcess("python3", [Fixtures.script("tiff_reference.py"), "make-strips", dir.path])
        try #require(made.status == 0, "\(made.stderr)")
        let strips = try JSONDecoder().decode([Strip].self, from: Data(contentsOf: dir.file("strips.json")))
        #expect(strips.count == 24)
        for s in strips {
            let path = dir.file(s.file).path
            let truth = [UInt8](try Data(contentsOf: dir.file(s.name + ".rgb")))
            let whole = try TiffReader(path: path, level: 0, scanlineLimit: 1 << 30)
            // every strip, only the strips bigger than the last, or no strip on the scanline path
            let stripBytes = { (row: Int) in whole.stripRows(at: row) * Self.width * whole.plan.chunkSamples }
            for limit in [1, stripBytes(Self.height - 1), 1 << 30] {
                let reader = try TiffReader(path: path, level: 0, scanlineLimit: limit)
                #expect(reader.readsScanlines(at: 0) == (limit < stripBytes(0)), "\(s.name)")
                #expect(!reader.readsScanlines(at: Self.height - 1) || limit == 1, "\(s.name)")
                for (i, (x, y, w, h, r)) in Self.windows.enumerated() {
                    let threads = i % 2 == 0 ? 1 : 3
                    let got = try reader.readWindow(x: x, y: y, width: w, height: h, reduce: r, threads: threads)
                    let want = Fixtures.window(truth, width: Self.width, height: Self.height, x: x, y: y, w: w, h: h, reduce: r)
                    let what = "\(s.name) limit \(limit) window \(x),\(y) \(w)x\(h)/\(r)"
                    // tifffile decodes JPEG with another libjpeg: compare with pipe's whole-strip decode exactly
                    #expect(Fixtures.maxDiff(got, want) <= (s.lossy ? 6 : 0), "\(what)")
                    if s.lossy {
                        #expect(got == (try whole.readWindow(x: x, y: y, width: w, height: h, reduce: r)), "\(what)")
                    }
                }
            }
        }
    }

    @Test(.enabled(if: pythonHas("tifffile", "numpy", "imagecodecs")))
    func concurrentWindowsShareScanlineHandles() throws {
        let dir = try TemporaryDirectory("strips-par")
        defer { dir.remove() }
        let made = try runProcess("python3", [Fixtures.script("tiff_reference.py"), "make-strips", dir.path])
        try #require(made.status == 0, "\(made.stderr)")
        for name in ["hw3-zlib-predictor-rows96", "3hw-lzw-rows240"] {
            let truth = [UInt8](try Data(contentsOf: dir.file(name + ".rgb")))
            let reader = try TiffReader(path: dir.file(name + ".tif").path, level: 0, scanlineLimit: 1)
            let results = Mutex([Int: [UInt8]]())
            DispatchQueue.concurrentPerform(iterations: 24) { i in
                let (x, y, w, h, r) = Self.windows[i % Self.windows.count]
                let got = try? reader.readWindow(x: x, y: y, width: w, height: h, reduce: r, threads: 2)
                results.withLock { $0[i] = got ?? [] }
            }
            for i in 0..<24 {
                let (x, y, w, h, r) = Self.windows[i % Self.windows.count]
                let want = Fixtures.window(truth, width: Self.width, height: Self.height, x: x, y: y, w: w, h: h, reduce: r)
                #expect(results.withLock { $0[i] } == want, "\(name) window \(i)")
            }
        }
    }

    /// `readReduced` (what the tile stage streams) over scanline strips, with the library's own writer.
    @Test func reducedStreamingReadsScanlineStrips() throws {
        let dir = try TemporaryDirectory("strips-reduce")
        defer { dir.remove() }
        let (path, img) = try TiffReaderTests.file(dir, options: .init(compression: .lzw, predictor: true, tiled: false, rowsPerStrip: 70),
                                                   width: 300, height: 200)
        let reader = try TiffReader(path: path, level: 0, scanlineLimit: 1)
        for (x, y, w, h, r) in [(0, 0, 300, 200, 4), (-6, 35, 120, 150, 3), (100, 130, 64, 64, 2)] {
            var rows = [UInt8](), next = 0
            try reader.readReduced(x: x, y: y, width: w, height: h, reduce: r, threads: 2) { first, chunk in
                #expect(first == next)
                rows += chunk
                next += chunk.count / (w / r * 3)
            }
            #expect(rows == Fixtures.window(img, width: 300, height: 200, x: x, y: y, w: w, h: h, reduce: r), "\(x),\(y) /\(r)")
        }
    }

    /// The tile stage streams TIFFs through `ImageTiler.run(reader:)`: scanline strips give the same tiles.
    @Test func tilerGivesTheSameTilesOverScanlineStrips() throws {
        let dir = try TemporaryDirectory("strips-tiler")
        defer { dir.remove() }
        let (path, _) = try TiffReaderTests.file(dir, options: .init(compression: .deflate, tiled: false, rowsPerStrip: 90),
                                                 width: 500, height: 330)
        let mask = RLEEncoder.encode((0..<(500 * 330)).map { ($0 % 500) / 40 == ($0 / 500) / 40 ? 1 : 0 }, width: 500, height: 330)
        let tiler = ImageTiler(grid: TileGrid(imageWidth: 500, imageHeight: 330, size: 64, reduce: 2, shifted: true),
                               filter: TileFilter(saturation: 10, minPixels: 100), keepMasked: true)
        func tiles(_ reader: TiffReader) throws -> [[UInt8]] {
            var out: [[UInt8]] = []
            _ = try tiler.run(reader: reader, mask: mask, threads: 2) { tile in
                out.append(tile.rgb + tile.mask + [UInt8(truncatingIfNeeded: tile.entry.x), UInt8(truncatingIfNeeded: tile.entry.y)])
            }
            return out
        }
        let whole = try tiles(TiffReader(path: path))
        #expect(whole.count > 4)
        #expect(try tiles(TiffReader(path: path, level: 0, scanlineLimit: 1)) == whole)
        #expect(try tiles(TiffReader(path: path, level: 0, scanlineLimit: 90 * 500 * 3 - 1)) == whole)
    }

    /// The audit's file: 12000 x 1200 deflate in strips of 1000 rows (36 MB decoded, over the real
    /// limit) and a 200-row last strip, read from mid-strip and from the small strip.
    @Test func wideDeflateStripsOverTheRealLimit() throws {
        let dir = try TemporaryDirectory("strips-wide")
        defer { dir.remove() }
        let (w, h) = (12_000, 1_200)
        var img = [UInt8](repeating: 0, count: w * h * 3)
        for i in img.indices { img[i] = UInt8(truncatingIfNeeded: (i / 3 % w) &* 7 &+ (i / (3 * w)) &* 13 &+ i % 3 &* 50) }
        let path = dir.file("wide.tif").path
        let writer = try TiffWriter(path: path, width: w, height: h, channels: 3,
                                    options: .init(compression: .deflate, tiled: false, rowsPerStrip: 1000))
        for top in stride(from: 0, to: h, by: 1000) {
            let rows = min(1000, h - top)
            try img.withUnsafeBufferPointer { try writer.write(band: UnsafeBufferPointer(rebasing: $0[(top * w * 3)..<((top + rows) * w * 3)]), rows: rows) }
        }
        try writer.finish()
        let reader = try TiffReader(path: path)
        #expect(reader.readsScanlines(at: 500) && !reader.readsScanlines(at: 1100))
        for (x, y, r) in [(100, 500, 1), (100, 1100, 1), (11_900, 900, 2), (100, 500, 4)] {
            let got = try reader.readWindow(x: x, y: y, width: 256, height: 256, reduce: r, threads: 2)
            #expect(got == Fixtures.window(img, width: w, height: h, x: x, y: y, w: 256, h: 256, reduce: r), "\(x),\(y) /\(r)")
        }
    }
}
