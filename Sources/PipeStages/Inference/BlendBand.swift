/// The rows of the reduced probability map that windows still touch: a
/// weighted sum and a weight sum per pixel, for rows `top ..< top + rows`.
/// Rows enter when a window reaches them and leave, normalised, once no later
/// window can touch them, so memory is bounded by a window's height.
struct BlendBand {
    let width: Int
    private(set) var top = 0
    private(set) var rows = 0
    /// The most rows held at once (for the memory bound's tests and metrics).
    private(set) var peakRows = 0
    private var values: [Float] = []
    private var weights: [Float] = []

    init(width: Int) { self.width = width }

    /// Adds a `side` x `side` window of probabilities (nil: all 0, a skipped window) at
    /// (`x`, `y`), weighted by `wx[t] * wy[s]`; the parts past `width` / `height` are dropped.
    mutating func add(_ probabilities: UnsafeBufferPointer<Float>?, x: Int, y: Int, side: Int, height: Int,
                      wx: [Float], wy: [Float]) {
        precondition(y >= top, "window row \(y) above the band's first row \(top)")
        let bottom = min(y + side, height)
        if bottom > top + rows {
            let added = bottom - top - rows
            values.append(contentsOf: repeatElement(0, count: added * width))
            weights.append(contentsOf: repeatElement(0, count: added * width))
            rows += added
            peakRows = max(peakRows, rows)
        }
        let columns = min(side, width - x)
        values.withUnsafeMutableBufferPointer { v in
            weights.withUnsafeMutableBufferPointer { w in
                for s in 0..<(bottom - y) where wy[s] > 0 {
                    let row = (y + s - top) * width + x, source = s * side
                    for t in 0..<columns {
                        let weight = wx[t] * wy[s]
                        if let probabilities { v[row + t] += probabilities[source + t] * weight }
                        w[row + t] += weight
                    }
                }
            }
        }
    }

    /// Hands every row above `row` to `body` as normalised probabilities, top first, and drops them.
    mutating func release(above row: Int, _ body: (_ index: Int, _ probabilities: [Float]) throws -> Void) rethrows {
        let count = min(max(0, row - top), rows)
        guard count > 0 else { return }
        for r in 0..<count {
            var line = [Float](repeating: 0, count: width)
            for i in 0..<width {
                let w = weights[r * width + i]
                line[i] = w > 0 ? values[r * width + i] / w : 0
            }
            try body(top + r, line)
        }
        values.removeFirst(count * width)
        weights.removeFirst(count * width)
        top += count
        rows -= count
    }
}
