import Foundation
@testable import Imaging
import Testing
import TestSupport

/// Scanner-style layouts (absent tiles and strips in every compression, 16-bit gray/RGB/RGBA and
/// pages per channel, MINISWHITE, palettes, JFIF streams under an RGB tag, an SVS-like page order)
/// written by tifffile, read back through TiffReader exactly as tifffile decodes them under pipe's
/// documented 8-bit rule (scripts/imaging/layout_reference.py applies it to tifffile's samples).
@Suite struct TiffLayoutTests {
    struct Layout: Decodable {
        var name, file, photometric: String
        var channels, tolerance: Int
        var scanlines: Bool?
        var window: [Int]?
        var layout: String?
        var levels: [[Int]]?
        var skipped: [String]?
    }

    static let width = 200, height = 150
    /// x, y, w, h, reduce: the whole image with a margin, straddling tiles, past the right and bottom edges.
    static let windows: [(Int, Int, Int, Int, Int)] = [
        (-8, -8, 216, 166, 1), (37, 21, 100, 60, 1), (-16, -8, 96, 64, 4), (120, 90, 96, 72, 2), (0, 0, 200, 150, 5),
    ]

    static func make() throws -> (TemporaryDirectory, [Layout]) {
        let dir = try TemporaryDirectory("tiff-layouts")
        let made = try runProcess("python3", [Fixtures.script("layout_reference.py"), "make", dir.path])
        guard made.status == 0 else { throw ImagingError(.io, "layout_reference.py failed: \(made.stderr)") }
        return (dir, try JSONDecoder().decode([Layout].self, from: Data(contentsOf: dir.file("layouts.json"))))
    }

    @Test(.enabled(if: pythonHas("tifffile", "numpy", "imagecodecs")))
    func everyLayoutReadsAsTifffileDecodesIt() throws {
        let (dir, layouts) = try Self.make()
        defer { dir.remove() }
        #expect(layouts.count >= 30)
        for c in layouts {
            let path = dir.file(c.file).path
            let options = TiffReadOptions(window: c.window.map { $0[0]...$0[1] })
            let truth = [UInt8](try Data(contentsOf: dir.file(c.name + ".rgb")))
            var readers = [try TiffReader(path: path, options: options)]
            if c.scanlines == true {   // the same strips read one scanline at a time
                readers.append(try TiffReader(path: path, level: 0, options: options, scanlineLimit: 64))
            }
            let info = readers[0].info
            #expect(info.channels == c.channels && info.photometric == c.photometric, "\(c.name): \(info.channels) \(info.photometric)")
            let (w, h) = (info.width, info.height)
            for reader in readers {
                for (x, y, ww, hh, r) in Self.windows {
                    let got = try reader.readWindow(x: x, y: y, width: ww, height: hh, reduce: r, threads: 2)
                    let want = Fixtures.window(truth, width: w, height: h, x: x, y: y, w: ww, h: hh, reduce: r)
                    let diff = Fixtures.maxDiff(got, want)
                    #expect(got.count == want.count && diff <= c.tolerance, "\(c.name) window \(x),\(y) \(ww)x\(hh)/\(r): max diff \(diff)")
                }
            }
            if let levels = c.levels {
                #expect(info.levels.map { [$0.width, $0.height] } == levels, "\(c.name)")
                #expect(info.skipped.map(\.address.description) == c.skipped ?? [], "\(c.name): \(info.skipped)")
                let level1 = try TiffReader(path: path, level: 1)
                let want = [UInt8](try Data(contentsOf: dir.file(c.name + ".level1.rgb")))
                #expect(try level1.readWindow(x: 0, y: 0, width: levels[1][0], height: levels[1][1]) == want)
            }
        }
    }

    @Test func theScalingRuleRoundsToNearestAndHonoursTheWindow() {
        #expect(TiffSampleConverter.scale(0, lo: 0, hi: 65535) == 0)
        #expect(TiffSampleConverter.scale(65535, lo: 0, hi: 65535) == 255)
        #expect(TiffSampleConverter.scale(128, lo: 0, hi: 65535) == 0)    // 128 / 257 = 0.498
        #expect(TiffSampleConverter.scale(129, lo: 0, hi: 65535) == 1)    // 0.502
        #expect(TiffSampleConverter.scale(257 * 77, lo: 0, hi: 65535) == 77)
        #expect((0...255).allSatisfy { TiffSampleConverter.scale($0, lo: 0, hi: 255) == UInt8($0) })
        #expect(TiffSampleConverter.scale(999, lo: 1000, hi: 2000) == 0)
        #expect(TiffSampleConverter.scale(2001, lo: 1000, hi: 2000) == 255)
        #expect(TiffSampleConverter.scale(1500, lo: 1000, hi: 2000) == 128)   // 127.5 rounds up
    }
}
