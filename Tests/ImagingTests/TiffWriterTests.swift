import Foundation
import Imaging
import Testing
import TestSupport

/// Files pipe writes (every layout, tiled or striped, each compression, BigTIFF, pyramids) read back
/// through TiffReader and, when tifffile is installed, identically in tifffile.
@Suite struct TiffWriterTests {
    static let width = 150, height = 100

    /// JPEG is lossy (2x2 chroma subsampling of a noisy image): a loose per-pixel bound plus a tight mean.
    static func meanDiff(_ a: [UInt8], _ b: [UInt8]) -> Double {
        Double(zip(a, b).reduce(0) { $0 + abs(Int($1.0) - Int($1.1)) }) / Double(max(1, a.count))
    }

    static let variants: [(String, TiffWriteOptions, Int)] = [
        ("contig-deflate", .init(compression: .deflate, tileSize: 64), 0),
        ("contig-lzw-pred-strips", .init(compression: .lzw, predictor: true, tiled: false, rowsPerStrip: 16), 0),
        ("contig-none-big", .init(compression: .none, tileSize: 32, bigTIFF: true), 0),
        ("planar-deflate", .init(compression: .deflate, tileSize: 48, layout: .planar), 0),
        ("pages-lzw", .init(compression: .lzw, tileSize: 64, layout: .pagePerChannel), 0),
        ("pages-strips", .init(compression: .none, tiled: false, rowsPerStrip: 7, layout: .pagePerChannel), 0),
        ("contig-jpeg", .init(compression: .jpeg, jpegQuality: 95, tileSize: 64), 40),
        ("pyramid-deflate", .init(compression: .deflate, tileSize: 32, pyramidLevels: 2), 0),
        ("pyramid-jpeg-strips", .init(compression: .jpeg, jpegQuality: 95, tiled: false, rowsPerStrip: 32, pyramidLevels: 1), 40),
        ("pages-pyramid-lzw", .init(compression: .lzw, tileSize: 32, layout: .pagePerChannel, pyramidLevels: 2), 0),
    ]

    /// Single-channel (gray) files, every compression pipe writes.
    static let grayVariants: [(String, TiffWriteOptions)] = [
        ("gray-none-strips", .init(compression: .none, tiled: false, rowsPerStrip: 9)),
        ("gray-lzw", .init(compression: .lzw, tileSize: 32)),
        ("gray-deflate-pyramid", .init(compression: .deflate, predictor: true, tileSize: 32, pyramidLevels: 2)),
        ("gray-jpeg", .init(compression: .jpeg, jpegQuality: 90, tileSize: 48)),
    ]

    static func write(_ img: [UInt8], channels: Int, to path: String, options: TiffWriteOptions) throws {
        let writer = try TiffWriter(path: path, width: width, height: height, channels: channels, options: options)
        var y = 0
        while y < height {
            let rows = min(options.bandRows, height - y)
            try img.withUnsafeBufferPointer { buf in
                try writer.write(band: UnsafeBufferPointer(rebasing: buf[(y * width * channels)..<((y + rows) * width * channels)]), rows: rows)
            }
            y += rows
        }
        try writer.finish()
    }

    @Test func writtenFilesReadBack() throws {
        let dir = try TemporaryDirectory("tiff-write")
        defer { dir.remove() }
        let img = Fixtures.image(width: Self.width, height: Self.height, seed: 3)
        for (name, options, tolerance) in Self.variants {
            let path = dir.file(name + ".tif").path
            try Self.write(img, channels: 3, to: path, options: options)
            let reader = try TiffReader(path: path)
            #expect(reader.info.layout == options.layout, "\(name)")
            #expect(reader.info.tiled == options.tiled && reader.info.compression == options.compression, "\(name)")
            #expect(reader.info.bigTIFF == (options.bigTIFF ?? false), "\(name)")
            #expect(reader.info.levels.count == options.pyramidLevels + 1, "\(name)")
            let got = try reader.readWindow(x: -5, y: 10, width: 160, height: 96, reduce: 2)
            let want = Fixtures.window(img, width: Self.width, height: Self.height, x: -5, y: 10, w: 160, h: 96, reduce: 2)
            #expect(Fixtures.maxDiff(got, want) <= tolerance, "\(name)")
            #expect(Self.meanDiff(got, want) <= (tolerance > 0 ? 3 : 0), "\(name)")
        }
    }

    @Test func grayRoundTrip() throws {
        let dir = try TemporaryDirectory("tiff-gray")
        defer { dir.remove() }
        let gray = (0..<(Self.width * Self.height)).map { UInt8(($0 * 7) % 251) }
        let path = dir.file("gray.tif").path
        try Self.write(gray, channels: 1, to: path, options: .init(compression: .deflate, tileSize: 32))
        let reader = try TiffReader(path: path)
        #expect(reader.info.channels == 1)
        let rgb = try reader.readWindow(x: 0, y: 0, width: Self.width, height: Self.height)
        #expect(stride(from: 0, to: rgb.count, by: 3).map { rgb[$0] } == gray)
    }

    /// tifffile's decode of every file pipe writes (each compression, RGB and gray, every pyramid level)
    /// equals pipe's own read of it exactly, and the source exactly unless JPEG.
    @Test(.enabled(if: pythonHas("tifffile", "numpy", "imagecodecs")))
    func tifffileReadsWhatPipeWrites() throws {
        let dir = try TemporaryDirectory("tiff-written")
        defer { dir.remove() }
        let img = Fixtures.image(width: Self.width, height: Self.height, seed: 4)
        let gray = stride(from: 1, to: img.count, by: 3).map { img[$0] }
        let all = Self.variants.map { ($0.0, $0.1, 3) } + Self.grayVariants.map { ($0.0, $0.1, 1) }
        for (name, options, channels) in all {
            let path = dir.file(name + ".tif").path
            try Self.write(channels == 3 ? img : gray, channels: channels, to: path, options: options)
            try Data(channels == 3 ? img : gray).write(to: dir.file(name + ".rgb"))
            let levels = try TiffReader(path: path).info.levels
            for (k, level) in levels.enumerated() {
                let pixels = try TiffReader(path: path, level: k).readWindow(x: 0, y: 0, width: level.width, height: level.height)
                try Data(pixels).write(to: dir.file("\(name).level\(k).rgb"))
            }
            try dir.write(name + ".json", """
                {"width": \(Self.width), "height": \(Self.height), "channels": \(channels), "layout": "\(options.layout.rawValue)", \
                "lossless": \(options.compression != .jpeg), "mean_tolerance": 5, "levels": \(options.pyramidLevels + 1)}
                """)
        }
        let result = try runProcess("python3", [Fixtures.script("tiff_reference.py"), "check-written", dir.path])
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.count == all.count)
        #expect(lines.contains { $0.contains("pyramid-deflate") && $0.contains("\"levels\": 3") })
        #expect(lines.contains { $0.contains("contig-none-big") && $0.contains("\"bigtiff\": true") })
        // three channel pages, the pyramid as SubIFDs of the first
        #expect(lines.contains { $0.contains("pages-pyramid-lzw") && $0.contains("\"pages\": 3,") && $0.contains("\"levels\": 3") })
    }
}
