/// Scanline rasterisation of polygons: a pixel is set when its centre (i + 0.5, j + 0.5) lies inside
/// by the even-odd rule over the polygon's rings (so holes are cut out); polygons are OR-ed together.
public enum PolygonRaster {
    /// The window (x, y, width, height) as `width * height` bytes: `value` inside, 0 outside.
    /// Memory is the window; polygons outside it cost a bounding-box test.
    public static func window(_ polygons: [Polygon], x: Int, y: Int, width w: Int, height h: Int, value: UInt8 = 1) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: max(0, w * h))
        guard w > 0, h > 0 else { return out }
        var crossings: [Double] = []
        for polygon in polygons {
            let (minX, minY, maxX, maxY) = polygon.bounds
            guard maxX > Double(x), minX < Double(x + w), maxY > Double(y), minY < Double(y + h) else { continue }
            let r0 = max(y, Int((minY - 0.5).rounded(.down))), r1 = min(y + h, Int((maxY + 0.5).rounded(.up)))
            guard r0 < r1 else { continue }
            for row in r0..<r1 {
                let yc = Double(row) + 0.5
                crossings.removeAll(keepingCapacity: true)
                for ring in polygon.rings { addCrossings(ring, yc: yc, into: &crossings) }
                crossings.sort()
                var k = 0
                while k + 1 < crossings.count {
                    // pixels whose centres lie in [a, b)
                    let c0 = max(x, Int((crossings[k] - 0.5).rounded(.up)))
                    let c1 = min(x + w, Int((crossings[k + 1] - 0.5).rounded(.up)))
                    if c0 < c1 { for c in c0..<c1 { out[(row - y) * w + (c - x)] = value } }
                    k += 2
                }
            }
        }
        return out
    }

    private static func addCrossings(_ ring: [SIMD2<Double>], yc: Double, into out: inout [Double]) {
        guard ring.count >= 3 else { return }
        var prev = ring[ring.count - 1]
        for p in ring {
            if (prev.y <= yc) != (p.y <= yc) {
                out.append(prev.x + (yc - prev.y) * (p.x - prev.x) / (p.y - prev.y))
            }
            prev = p
        }
    }

    /// The whole mask as Kaggle RLE, rasterised in row bands so memory stays proportional to a band.
    public static func rle(_ polygons: [Polygon], width: Int, height: Int, bandRows: Int = 256) -> RLEMask {
        var encoder = RLEEncoder(width: width, height: height)
        var top = 0
        while top < height {
            let rows = min(bandRows, height - top)
            let band = window(polygons, x: 0, y: top, width: width, height: rows)
            band.withUnsafeBufferPointer { buf in
                for r in 0..<rows { encoder.append(row: UnsafeBufferPointer(rebasing: buf[(r * width)..<((r + 1) * width)])) }
            }
            top += rows
        }
        return encoder.finish()
    }
}
