import Foundation
import Imaging
import Testing
import TestSupport

/// The `pipe image` and `pipe rle` subcommands, run as the built binary (skipped when it is not built).
@Suite struct CLITests {
    static let binary = Fixtures.root.appendingPathComponent(".build/debug/pipe").path
    static var built: Bool { FileManager.default.isExecutableFile(atPath: binary) }

    @Test(.enabled(if: built))
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
}
