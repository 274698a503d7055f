import Foundation
@testable import Imaging
import Testing
import TestSupport

/// `.jpg` files (external tile sets) decode through libjpeg-turbo to the bytes imagecodecs'
/// libjpeg-turbo gives (tifffile's decoder): same decoder, identical bytes.
@Suite struct JPEGFileTests {
    struct Case: Decodable { var name: String; var width, height: Int }

    @Test(.enabled(if: pythonHas("imagecodecs", "numpy", "tifffile")))
    func jpegFilesDecodeAsLibjpegTurboDoes() throws {
        let dir = try TemporaryDirectory("jpeg-files")
        defer { dir.remove() }
        let made = try runProcess("python3", [Fixtures.script("layout_reference.py"), "jpegs", dir.path])
        try #require(made.status == 0, "\(made.stderr)")
        let cases = try JSONDecoder().decode([Case].self, from: Data(contentsOf: dir.file("jpegs.json")))
        #expect(cases.count == 4)
        for c in cases {
            let path = dir.file(c.name + ".jpg").path
            let image = try ImageFile.read(path: path, channels: 3)
            #expect(image.width == c.width && image.height == c.height)
            let want = [UInt8](try Data(contentsOf: dir.file(c.name + ".rgb")))
            #expect(image.pixels == want, "\(c.name): max diff \(Fixtures.maxDiff(image.pixels, want))")
            let summary = try ImageSummary.of(path: path)
            #expect(summary.format == "jpeg" && summary.channels == (c.name == "gray" ? 1 : 3) && summary.problem == nil)
            let (window, w, h) = try ImageSummary.window(path: path, level: 0, x: -4, y: 10, w: 64, h: 32, reduce: 2)
            #expect(w == 32 && h == 16)
            #expect(window == Fixtures.window(want, width: c.width, height: c.height, x: -4, y: 10, w: 64, h: 32, reduce: 2))
        }
        // the same file with its frame header claiming 30,000 x 30,000: refused before decoding
        var bytes = [UInt8](try Data(contentsOf: dir.file("rgb420.jpg")))
        let sof = try #require((0..<(bytes.count - 9)).first { bytes[$0] == 0xFF && bytes[$0 + 1] == 0xC0 })
        bytes.replaceSubrange((sof + 5)..<(sof + 9), with: [0x75, 0x30, 0x75, 0x30])
        let huge = dir.file("huge.jpg")
        try Data(bytes).write(to: huge)
        #expect(try JPEGFile.header(path: huge.path).width == 30_000)
        #expect { try ImageFile.read(path: huge.path, channels: 3) } throws: { error in
            (error as? ImagingError)?.message.contains("30000 x 30000 pixels, more than this") == true
        }
    }

    @Test func damagedJPEGIsANamedError() throws {
        let dir = try TemporaryDirectory("jpeg-files")
        defer { dir.remove() }
        let path = dir.file("cut.jpg").path
        try Data([0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 0x4A, 0x46]).write(to: URL(fileURLWithPath: path))
        #expect(throws: ImagingError.self) { try ImageFile.read(path: path, channels: 3) }
        do { _ = try ImageFile.read(path: path, channels: 3) } catch {
            #expect(error.description.hasPrefix(path + ": cannot decode JPEG ("), "\(error)")
        }
    }

    @Test(.enabled(if: pythonHas("tifffile", "numpy", "imagecodecs")))
    func infoDescribesWhatPipeCannotDecodeAndSkippedLevels() throws {
        let (dir, _) = try TiffLayoutTests.make()
        defer { dir.remove() }
        let float = try ImageSummary.of(path: dir.file("float32.tif").path)
        #expect(float.problem?.contains("floating point") == true && float.channels == 0 && float.bitsPerSample == 32)
        #expect(float.text.contains("decodable:   no, sample format 3 (floating point) is not supported"), "\(float.text)")
        #expect(float.json.contains("\"decodable\":false"))
        #expect(throws: ImagingError.self) { try TiffReader(path: dir.file("float32.tif").path) }
        let svs = try ImageSummary.of(path: dir.file("svs-like.tif").path)
        #expect(svs.text.contains("not a level: page 1 (128 x 86): stored in strips while the pyramid is tiled"), "\(svs.text)")
        #expect(svs.text.contains("not a level: page 4 (120 x 100): a label image"))
        #expect(svs.text.contains("not a level: page 5 (300 x 200): a macro image"))
        let gray16 = try ImageSummary.of(path: dir.file("gray16-tiles.tif").path)
        #expect(gray16.text.contains("1 channel (gray, 16-bit)"), "\(gray16.text)")
    }
}
