import Foundation

/// A polygon with optional holes: `rings[0]` is the outline, later rings are holes. Points are in
/// pixel coordinates (x right, y down), pixel (i, j) covering [i, i+1) x [j, j+1).
public struct Polygon: Sendable, Equatable, Codable {
    public var rings: [[SIMD2<Double>]]

    public init(rings: [[SIMD2<Double>]]) { self.rings = rings }

    /// Bounding box (minX, minY, maxX, maxY) of the outline.
    public var bounds: (Double, Double, Double, Double) {
        var lo = SIMD2<Double>(repeating: .infinity), hi = SIMD2<Double>(repeating: -.infinity)
        for p in rings.first ?? [] { lo = pointwiseMin(lo, p); hi = pointwiseMax(hi, p) }
        return (lo.x, lo.y, hi.x, hi.y)
    }
}

/// The GeoJSON-like glomerulus annotation files of the HuBMAP data: a list of features (or a
/// FeatureCollection) whose `geometry` is a Polygon (`coordinates[0]` = [[x, y], ...], later rings
/// holes) or MultiPolygon.
public enum PolygonFile {
    /// Parses `data`; errors name `source` and the feature index.
    public static func parse(_ data: Data, source: String) throws(ImagingError) -> [Polygon] {
        let root: Any
        do { root = try JSONSerialization.jsonObject(with: data) } catch {
            throw ImagingError(.malformedPolygon, "not valid JSON (\(error.localizedDescription))", path: source)
        }
        let features: [Any]
        if let list = root as? [Any] { features = list }
        else if let object = root as? [String: Any], let list = object["features"] as? [Any] { features = list }
        else if let object = root as? [String: Any], object["geometry"] != nil { features = [object] }
        else { throw ImagingError(.malformedPolygon, "expected a list of features or a FeatureCollection", path: source) }
        var polygons: [Polygon] = []
        for (i, feature) in features.enumerated() {
            guard let geometry = (feature as? [String: Any])?["geometry"] as? [String: Any],
                  let coordinates = geometry["coordinates"] as? [Any] else {
                throw ImagingError(.malformedPolygon, "feature \(i) has no geometry.coordinates", path: source)
            }
            let type = geometry["type"] as? String ?? "Polygon"
            let groups = type == "MultiPolygon" ? coordinates : [coordinates]
            for group in groups {
                guard let rings = group as? [Any], !rings.isEmpty else {
                    throw ImagingError(.malformedPolygon, "feature \(i): coordinates are not a list of rings", path: source)
                }
                polygons.append(Polygon(rings: try rings.map { (ring) throws(ImagingError) in try points(ring, feature: i, source: source) }))
            }
        }
        return polygons
    }

    /// Reads and parses the file at `path`.
    public static func read(path: String) throws(ImagingError) -> [Polygon] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ImagingError(.io, "cannot read file", path: path)
        }
        return try parse(data, source: path)
    }

    /// What a polygon outlines, as QuPath names it in the HuBMAP files.
    public enum Classification: String, Sendable {
        case glomerulus, cortex = "Cortex"

        var colour: Int { self == .glomerulus ? -3140401 : -16711936 }
    }

    /// Serialises polygons as a list of GeoJSON Features (the HuBMAP layout).
    public static func encode(_ polygons: [Polygon], classification: Classification = .glomerulus) -> Data {
        let features: [[String: Any]] = polygons.map { p in
            ["type": "Feature", "id": "PathAnnotationObject",
             "geometry": ["type": "Polygon", "coordinates": p.rings.map { $0.map { [Int($0.x.rounded()), Int($0.y.rounded())] } }],
             "properties": ["classification": ["name": classification.rawValue, "colorRGB": classification.colour],
                            "isLocked": false,
                            "measurements": [] as [Any]]]
        }
        return (try? JSONSerialization.data(withJSONObject: features, options: [.sortedKeys])) ?? Data("[]".utf8)
    }

    private static func points(_ ring: Any, feature: Int, source: String) throws(ImagingError) -> [SIMD2<Double>] {
        guard let list = ring as? [Any], list.count >= 3 else {
            throw ImagingError(.malformedPolygon, "feature \(feature): a ring needs at least 3 [x, y] points", path: source)
        }
        var out: [SIMD2<Double>] = []
        for p in list {
            guard let xy = p as? [Any], xy.count >= 2, let x = (xy[0] as? NSNumber)?.doubleValue,
                  let y = (xy[1] as? NSNumber)?.doubleValue, x.isFinite, y.isFinite else {
                throw ImagingError(.malformedPolygon, "feature \(feature): point \(p) is not [x, y]", path: source)
            }
            let limit = Double(ImageLimits.maxOffset)   // rasterising converts coordinates to Int
            guard abs(x) <= limit, abs(y) <= limit else {
                throw ImagingError(.malformedPolygon, "feature \(feature): point [\(x), \(y)] is outside the range -\(ImageLimits.maxOffset)...\(ImageLimits.maxOffset)", path: source)
            }
            out.append(SIMD2(x, y))
        }
        return out
    }
}
