import Foundation

/// Where an image's ground-truth mask comes from: a train.csv RLE or a polygon annotation file.
/// The tiler asks for mask windows at the same coordinates as image windows; neither source ever
/// materialises the whole mask.
public enum MaskSource: Sendable {
    case rle(RLEMask)
    case polygons([Polygon], width: Int, height: Int)

    /// Size of the mask (the image size).
    public var size: (width: Int, height: Int) {
        switch self {
        case .rle(let m): (m.width, m.height)
        case .polygons(_, let w, let h): (w, h)
        }
    }

    /// The window (x, y, width, height) downscaled by `reduce` (nearest: top-left of each block; area:
    /// block mean) with set pixels = `value`, 0 outside the image. Width and height must be multiples
    /// of `reduce`.
    public func window(x: Int, y: Int, width: Int, height: Int, reduce: Int = 1, mode: MaskReduce = .nearest,
                       value: UInt8 = 1) -> [UInt8] {
        switch self {
        case .rle(let m):
            return m.window(x: x, y: y, width: width, height: height, reduce: reduce, mode: mode, value: value)
        case .polygons(let p, let w, let h):
            let x0 = max(x, 0), y0 = max(y, 0), x1 = min(x + width, w), y1 = min(y + height, h)
            var full = [UInt8](repeating: 0, count: width * height)
            if x0 < x1, y0 < y1 {   // clip to the image so the window reads 0 outside, like the RLE source
                let inner = PolygonRaster.window(p, x: x0, y: y0, width: x1 - x0, height: y1 - y0, value: value)
                for r in 0..<(y1 - y0) {
                    for c in 0..<(x1 - x0) { full[(r + y0 - y) * width + (c + x0 - x)] = inner[r * (x1 - x0) + c] }
                }
            }
            return MaskDownscale.apply(full, width: width, height: height, reduce: reduce, mode: mode)
        }
    }

    /// The mask as Kaggle RLE.
    public var rle: RLEMask {
        switch self {
        case .rle(let m): m
        case .polygons(let p, let w, let h): PolygonRaster.rle(p, width: w, height: h)
        }
    }

    /// Reads the mask of image `id` from a Kaggle `train.csv` (`id,encoding`, LF or CRLF, ids may be
    /// quoted); errors name the file and line.
    public static func fromCSV(path: String, id: String, width: Int, height: Int) throws(ImagingError) -> MaskSource {
        let row = try KeyedCSV.row(id: id, path: path)
        return .rle(try RLEMask(rle: row.value ?? "", width: width, height: height, source: "\(path):\(row.line)"))
    }

    /// Reads a polygon annotation file for an image of the given size.
    public static func fromPolygons(path: String, width: Int, height: Int) throws(ImagingError) -> MaskSource {
        .polygons(try PolygonFile.read(path: path), width: width, height: height)
    }
}
