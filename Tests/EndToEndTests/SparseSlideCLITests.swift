import Foundation
import Imaging
import TestSupport
import Testing

/// A 50,000 x 50,000 JPEG BigTIFF with four tiles present and 9,600 absent (offset and byte count 0),
/// as scanners write empty glass: absent tiles read as zeros, present tiles exactly as tifffile
/// decodes them (both through libjpeg-turbo), and a whole-slide overview streams in small memory.
@Suite struct SparseSlideCLITests {
    struct Tile: Decodable { var x, y, w, h: Int }
    struct Made: Decodable { var side, tile: Int; var present: [Tile] }

    @Test(.enabled(if: pythonHas("tifffile", "numpy", "imagecodecs")))
    func sparseBigTIFFReadsZerosAndItsTilesInSmallMemory() throws {
        let dir = try TemporaryDirectory("sparse-slide")
        defer { dir.remove() }
        let path = dir.file("sparse.tif").path
        let script = PipeBinary.repositoryRoot.appendingPathComponent("scripts/imaging/layout_reference.py").path
        let result = try runProcess("python3", [script, "sparse", path])
        try #require(result.status == 0, "\(result.stderr)")
        let made = try JSONDecoder().decode(Made.self, from: Data(result.stdout.utf8))
        let size = try #require(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
        #expect(size < 8 << 20, "the sparse slide takes \(size) bytes")

        let reader = try TiffReader(path: path)
        #expect(reader.width == 50_000 && reader.height == 50_000 && reader.info.bigTIFF)
        for t in made.present {   // each present tile with a margin of absent neighbours (or the edge)
            let want = [UInt8](try Data(contentsOf: URL(fileURLWithPath: "\(path).\(t.x)_\(t.y).rgb")))
            let got = try reader.readWindow(x: t.x - 16, y: t.y - 16, width: t.w + 32, height: t.h + 32, threads: 2)
            var expected = [UInt8](repeating: 0, count: (t.w + 32) * (t.h + 32) * 3)
            for row in 0..<t.h {
                let target = ((row + 16) * (t.w + 32) + 16) * 3
                expected.replaceSubrange(target..<(target + t.w * 3), with: want[(row * t.w * 3)..<((row + 1) * t.w * 3)])
            }
            #expect(got == expected, "tile at \(t.x), \(t.y)")
        }
        let empty = try reader.readWindow(x: 20_000, y: 20_000, width: 1024, height: 1024, threads: 2)
        #expect(empty.allSatisfy { $0 == 0 })
        let filled = try TiffReader(path: path, options: TiffReadOptions(fill: 255))
        #expect(try filled.readWindow(x: 20_000, y: 20_000, width: 64, height: 64).allSatisfy { $0 == 255 })

        // the whole slide at 1/100 through the CLI: 500 x 500, in small memory
        let (crop, peakMiB) = try HostileInputCLITests.runMeasured(
            ["image", "crop", "sparse.tif", "--x", "0", "--y", "0", "--w", "50000", "--h", "50000", "--reduce", "100", "-o", "overview.png"],
            in: dir.path)
        #expect(crop.status == 0, "\(crop.stderr)")
        #expect(peakMiB > 0 && peakMiB < 150, "the overview peaked at \(peakMiB) MiB")
        let overview = try PNGFile.read(path: dir.file("overview.png").path, channels: 3)
        #expect(overview.width == 500 && overview.height == 500)
        let first = [UInt8](try Data(contentsOf: URL(fileURLWithPath: "\(path).0_0.rgb")))
        for block in 0..<5 {   // the first five blocks of row 0 lie inside tile (0, 0): their area means
            for c in 0..<3 {
                var sum = 0
                for y in 0..<100 { for x in (block * 100)..<(block * 100 + 100) { sum += Int(first[(y * 512 + x) * 3 + c]) } }
                #expect(Int(overview.pixels[block * 3 + c]) == (sum + 5000) / 10000, "block \(block) channel \(c)")
            }
        }
        #expect(overview.pixels[(250 * 500 + 250) * 3] == 0)
    }
}
