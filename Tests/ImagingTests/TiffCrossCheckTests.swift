import Foundation
import Imaging
import Testing
import TestSupport

/// Files tifffile writes (every layout and compression) read back through TiffReader exactly as
/// tifffile decodes them; reduce matches a numpy area mean. JPEG included: libtiff's libjpeg-turbo and
/// imagecodecs' give identical bytes.
@Suite struct TiffCrossCheckTests {
    struct Window: Decodable { var x, y, w, h, reduce: Int; var expected: String }
    struct Case: Decodable { var name, file: String; var tolerance: Int; var windows: [Window]; var levels: [[Int]]? }

    @Test(.enabled(if: pythonHas("tifffile", "numpy", "imagecodecs")))
    func tifffileFilesReadIdentically() throws {
        let dir = try TemporaryDirectory("tiff-cases")
        defer { dir.remove() }
        let made = try runProcess("python3", [Fixtures.script("tiff_reference.py"), "make-cases", dir.path])
        try #require(made.status == 0, "\(made.stderr)")
        let cases = try JSONDecoder().decode([Case].self, from: Data(contentsOf: dir.file("cases.json")))
        #expect(cases.count >= 20)
        for c in cases {
            let reader = try TiffReader(path: dir.file(c.file).path)
            #expect(reader.width == 300 && reader.height == 240, "\(c.name)")
            for w in c.windows {
                let got = try reader.readWindow(x: w.x, y: w.y, width: w.w, height: w.h, reduce: w.reduce, threads: 2)
                let want = [UInt8](try Data(contentsOf: dir.file(w.expected)))
                #expect(got.count == want.count)
                let diff = Fixtures.maxDiff(got, want)
                #expect(diff <= c.tolerance, "\(c.name) window \(w.x),\(w.y) \(w.w)x\(w.h)/\(w.reduce): max diff \(diff)")
            }
            if let levels = c.levels {
                #expect(reader.info.levels.map { [$0.width, $0.height] } == levels, "\(c.name)")
                let level1 = try TiffReader(path: dir.file(c.file).path, level: 1)
                let got = try level1.readWindow(x: 10, y: 20, width: 100, height: 80, reduce: 2)
                #expect(got == [UInt8](try Data(contentsOf: dir.file(c.name + ".level1.bin"))))
            }
        }
    }
}
