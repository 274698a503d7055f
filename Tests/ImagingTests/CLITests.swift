import Foundation
import Imaging
import Testing
import TestSupport

/// The `pipe image` and `pipe rle` subcommands, run as the built binary.
@Suite struct CLITests {
    static var binary: String { PipeBinary.path }

    @Test
    func infoCropAndRLERoundTrip() throws {
        let dir = try TemporaryDirectory("cli")
        defer { dir.remove() }
        let tif = dir.file("a.tif").path
        let img = Fixtures.image(width: 100, height: 80, seed: 5)
        let writer = try TiffWriter(path: tif, width: 100, height: 80, channels: 3,
                                    options: .init(compression: .lzw, tileSize: 32, layout: .planar))
        for y in stride(from: 0, to: 80, by: 32) {
            let rows = min(32, 80 - y)
            try img.withUnsafeBufferPointer { try writer.write(band: UnsafeBufferPointer(rebasing: $0[(y * 300)..<((y + rows) * 300)]), rows: rows) }
        }
        try writer.finish()
        let info = try runProcess(Self.binary, ["image", "info", tif, "--json"])
        #expect(info.status == 0)
        let json = try JSONSerialization.jsonObject(with: Data(info.stdout.utf8)) as! [String: Any]
        for key in ["width", "height", "channels", "layout", "tiled", "tile_width", "tile_height", "compression", "bigtiff", "levels"] {
            #expect(json[key] != nil, "missing key \(key)")
        }
        #expect(json["width"] as? Int == 100 && json["layout"] as? String == "planar" && json["compression"] as? String == "lzw")

        let png = dir.file("crop.png").path
        let crop = try runProcess(Self.binary, ["image", "crop", tif, "--x=-4", "--y", "8", "--w", "40", "--h", "24", "--reduce", "2", "-o", png])
        #expect(crop.status == 0, "\(crop.stderr)")
        #expect(try PNGFile.read(path: png).pixels == Fixtures.window(img, width: 100, height: 80, x: -4, y: 8, w: 40, h: 24, reduce: 2))

        let mask = dir.file("m.png").path
        let decoded = try runProcess(Self.binary, ["rle", "decode", "--width", "7", "--height", "5", "-o", mask], stdin: "2 3 9 1 34 2")
        #expect(decoded.status == 0, "\(decoded.stderr)")
        let encoded = try runProcess(Self.binary, ["rle", "encode", mask])
        #expect(encoded.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "2 3 9 1 34 2")

        let bad = try runProcess(Self.binary, ["rle", "decode", "--width", "7", "--height", "5", "-o", mask], stdin: "2 3 4")
        #expect(bad.status == 2 && bad.stderr.contains("odd number"))
        let odd = try runProcess(Self.binary, ["image", "crop", tif, "--x", "0", "--y", "0", "--w", "30", "--h", "24", "--reduce", "4", "-o", png])
        #expect(odd.status == 2 && odd.stderr.contains("'30x24'"))
        let missing = try runProcess(Self.binary, ["image", "info", dir.file("nope.tif").path])
        #expect(missing.status == 2 && missing.stderr.contains("nope.tif"))
    }

    @Test
    func negativeOffsetsNeedNoEqualsSign() throws {
        let dir = try TemporaryDirectory("cli-neg")
        defer { dir.remove() }
        let img = Fixtures.image(width: 40, height: 30, seed: 6)
        let src = dir.file("a.png").path, png = dir.file("crop.png").path
        try PNGFile.write(PixelImage(width: 40, height: 30, channels: 3, pixels: img), path: src)
        let crop = try runProcess(Self.binary, ["image", "crop", src, "--x", "-16", "--y", "-4", "--w", "32", "--h", "16", "-o", png])
        #expect(crop.status == 0, "\(crop.stderr)")
        #expect(try PNGFile.read(path: png).pixels == Fixtures.window(img, width: 40, height: 30, x: -16, y: -4, w: 32, h: 16, reduce: 1))
    }

    @Test
    func filesAreRecognisedByContentNotName() throws {
        let dir = try TemporaryDirectory("cli-magic")
        defer { dir.remove() }
        // a TIFF named .png is read as a TIFF
        let tif = dir.file("really-a-tiff.png").path
        let writer = try TiffWriter(path: tif, width: 20, height: 10, channels: 3, options: .init(compression: .lzw, tiled: false, rowsPerStrip: 10))
        try Fixtures.image(width: 20, height: 10, seed: 1).withUnsafeBufferPointer { try writer.write(band: $0, rows: 10) }
        try writer.finish()
        let info = try runProcess(Self.binary, ["image", "info", tif, "--json"])
        #expect(info.status == 0 && info.stdout.contains("\"format\":\"tiff\""), "\(info.stderr)")
        // neither: named in the message
        let text = try dir.write("notes.png", "just some text").path
        for args in [["image", "info", text], ["image", "crop", text, "--x", "0", "--y", "0", "--w", "4", "--h", "4", "-o", dir.file("o.png").path]] {
            let r = try runProcess(Self.binary, args)
            #expect(r.status == 2 && r.stderr.contains("notes.png: not a PNG, JPEG or TIFF file"), "\(r.stderr)")
        }
        // a gray mask PNG reports one gray channel
        let mask = dir.file("mask.png").path
        try PNGFile.write(PixelImage(width: 6, height: 4, channels: 1, pixels: [UInt8](repeating: 255, count: 24)), path: mask)
        let gray = try runProcess(Self.binary, ["image", "info", mask])
        #expect(gray.status == 0 && gray.stdout.contains("1 channel (gray)"), "\(gray.stdout)")
        let rgba = dir.file("rgba.png").path
        try PNGFile.write(PixelImage(width: 2, height: 2, channels: 4, pixels: [UInt8](repeating: 9, count: 16)), path: rgba)
        #expect(try runProcess(Self.binary, ["image", "info", rgba]).stdout.contains("3 channels (rgba)"))
    }

    @Test
    func rleFromCSVRowsAndHugeNumbers() throws {
        let dir = try TemporaryDirectory("cli-rle")
        defer { dir.remove() }
        let mask = dir.file("m.png").path
        func decode(_ extra: [String], stdin: String = "") throws -> ProcessResult {
            try runProcess(Self.binary, ["rle", "decode", "--width", "7", "--height", "5", "-o", mask] + extra, stdin: stdin)
        }
        func encoded() throws -> String {
            try runProcess(Self.binary, ["rle", "encode", mask]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let csv = try dir.write("train.csv", "id,encoding\r\n\"x1\",2 3 9 1\r\ny2,34 2\r\n").path
        for (id, want) in [("x1", "2 3 9 1"), ("y2", "34 2")] {
            let r = try decode(["--csv", csv, "--id", id])
            #expect(r.status == 0, "\(r.stderr)")
            #expect(try encoded() == want)
        }
        let row = try decode([], stdin: "y2,34 2\r\n")
        #expect(row.status == 0, "\(row.stderr)")
        #expect(try encoded() == "34 2")
        let picked = try decode(["--id", "x1"], stdin: "id,encoding\nx1,2 3\ny2,34 2\n")
        #expect(picked.status == 0, "\(picked.stderr)")
        #expect(try encoded() == "2 3")
        let several = try decode([], stdin: "x1,2 3\ny2,34 2\n")
        #expect(several.status == 2 && several.stderr.contains("2 CSV rows"), "\(several.stderr)")

        let huge = try decode([], stdin: "2 9223372036854775807")
        #expect(huge.status == 2 && huge.stderr.contains("pair 1") && huge.stderr.contains("past the image end"), "\(huge.stderr)")
        let big = try runProcess(Self.binary, ["rle", "decode", "--width", "4000000000", "--height", "4000000000", "-o", mask], stdin: "1 1")
        #expect(big.status == 2 && big.stderr.contains("4000000000 x 4000000000"), "\(big.stderr)")
    }
}
