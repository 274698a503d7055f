import Foundation
import Imaging
import Testing

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
