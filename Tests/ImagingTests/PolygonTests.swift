import Foundation
import Imaging
import Testing
import TestSupport

@Suite struct PolygonTests {
    static let square = Polygon(rings: [[SIMD2(1, 1), SIMD2(5, 1), SIMD2(5, 4), SIMD2(1, 4)]])

    @Test func squareCoversPixelCentres() {
        let m = PolygonRaster.window([Self.square], x: 0, y: 0, width: 6, height: 5)
        for y in 0..<5 { for x in 0..<6 { #expect(m[y * 6 + x] == (x >= 1 && x < 5 && y >= 1 && y < 4 ? 1 : 0)) } }
    }

    @Test func holesAreCutAndWindowsOffset() {
        let withHole = Polygon(rings: [[SIMD2(0, 0), SIMD2(10, 0), SIMD2(10, 10), SIMD2(0, 10)],
                                       [SIMD2(3, 3), SIMD2(7, 3), SIMD2(7, 7), SIMD2(3, 7)]])
        let m = PolygonRaster.window([withHole], x: 0, y: 0, width: 10, height: 10)
        let area: Int = m.reduce(0) { $0 + Int($1) }
        #expect(area == 100 - 16)
        #expect(m[5 * 10 + 5] == 0 && m[1 * 10 + 1] == 1)
        let shifted = PolygonRaster.window([withHole], x: -2, y: 4, width: 6, height: 3)
        #expect(shifted == [0, 0, 1, 1, 1, 0, 0, 0, 1, 1, 1, 0, 0, 0, 1, 1, 1, 0])
    }

    @Test func triangleAreaAndRLEAgree() {
        let tri = Polygon(rings: [[SIMD2(0, 0), SIMD2(40, 0), SIMD2(0, 40)]])
        let m = PolygonRaster.window([tri], x: 0, y: 0, width: 40, height: 40)
        // centres (x+.5, y+.5) with x + y + 1 < 40: row y holds 39 - y pixels, 780 in all
        let area: Int = m.reduce(0) { $0 + Int($1) }
        #expect(area == 780)
        let rle = PolygonRaster.rle([tri], width: 40, height: 40, bandRows: 7)
        #expect(rle == RLEEncoder.encode(m, width: 40, height: 40))
    }

    @Test func parsesHubmapFeatureListAndRejectsBadFiles() throws {
        let json = """
        [{"type": "Feature", "id": "PathAnnotationObject", "geometry": {"type": "Polygon",
          "coordinates": [[[1, 1], [5, 1], [5, 4], [1, 4]]]}, "properties": {"classification": {"name": "glomerulus"}}}]
        """
        let polygons = try PolygonFile.parse(Data(json.utf8), source: "a.json")
        #expect(polygons == [Self.square])
        #expect(try PolygonFile.parse(PolygonFile.encode(polygons), source: "b.json") == polygons)
        #expect(throws: ImagingError.self) { try PolygonFile.parse(Data("[{\"geometry\": {}}]".utf8), source: "c.json") }
        #expect(throws: ImagingError.self) { try PolygonFile.parse(Data("{not json".utf8), source: "d.json") }
    }
}

@Suite struct MaskSourceTests {
    @Test func polygonAndRLESourcesGiveTheSameWindows() throws {
        let polygons = [
            Polygon(rings: [[SIMD2(10, 5), SIMD2(70, 12), SIMD2(60, 55), SIMD2(4, 40)], [SIMD2(30, 20), SIMD2(40, 20), SIMD2(35, 30)]]),
            Polygon(rings: [[SIMD2(75, 50), SIMD2(99, 58), SIMD2(90, 80)]]),
        ]
        let fromPolygons = MaskSource.polygons(polygons, width: 96, height: 64)
        let fromRLE = MaskSource.rle(try RLEMask(rle: fromPolygons.rle.encoded, width: 96, height: 64))
        for (x, y, w, h, r) in [(0, 0, 96, 64, 1), (-8, -4, 48, 40, 4), (64, 40, 48, 32, 2), (90, 60, 12, 12, 3)] {
            for mode in [MaskReduce.nearest, .area] {
                let a = fromPolygons.window(x: x, y: y, width: w, height: h, reduce: r, mode: mode, value: 255)
                #expect(a == fromRLE.window(x: x, y: y, width: w, height: h, reduce: r, mode: mode, value: 255), "\(x),\(y) \(w)x\(h)/\(r) \(mode)")
            }
        }
        // the triangle crosses the right and bottom edges: nothing outside the image is set
        #expect(fromPolygons.window(x: 96, y: 0, width: 8, height: 64).allSatisfy { $0 == 0 })
    }

    @Test func trainCSVRowsAreLocated() throws {
        let dir = try TemporaryDirectory("csv")
        defer { dir.remove() }
        let csv = try dir.write("train.csv", "id,encoding\naaa,1 3 10 2\nbbb,5 2 1 1\nccc,\n").path
        #expect(try MaskSource.fromCSV(path: csv, id: "aaa", width: 4, height: 4).rle.area == 5)
        #expect(try MaskSource.fromCSV(path: csv, id: "ccc", width: 4, height: 4).rle.area == 0)
        #expect { _ = try MaskSource.fromCSV(path: csv, id: "bbb", width: 4, height: 4) } throws: { error in
            (error as? ImagingError)?.path == "\(csv):3"
        }
        #expect(throws: ImagingError.self) { _ = try MaskSource.fromCSV(path: csv, id: "zzz", width: 4, height: 4) }
    }
}
