// Box filters on float fields: three passes approximate a Gaussian (the elastic displacement field).

extension Augmenter {
    /// Radii of three box filters whose cascade has the variance of a Gaussian of `sigma`
    /// (Kovesi's "fast almost-Gaussian filtering": widths `wl` and `wl + 2`, mixed to match).
    static func boxRadii(sigma: Double) -> [Int] {
        let passes = 3.0
        let ideal = (12 * sigma * sigma / passes + 1).squareRoot()
        var lower = Int(ideal.rounded(.down))
        if lower % 2 == 0 { lower -= 1 }
        let wl = Double(lower)
        let m = ((12 * sigma * sigma - passes * wl * wl - 4 * passes * wl - 3 * passes) / (-4 * wl - 4)).rounded()
        return (0..<3).map { Double($0) < m ? (lower - 1) / 2 : (lower + 1) / 2 }
    }

    /// Replaces `field` (`width x height`) by its mean over `(2r+1) x (2r+1)` windows, reflect_101 borders.
    static func boxFilter(_ field: inout [Float], width: Int, height: Int, radius: Int) {
        guard radius > 0 else { return }
        var line = [Float](repeating: 0, count: max(width, height) + 2 * radius)
        let scale = 1 / Float(2 * radius + 1)
        field.withUnsafeMutableBufferPointer { f in
            line.withUnsafeMutableBufferPointer { l in
                for y in 0..<height { smoothLine(f, start: y * width, stride: 1, count: width, radius, scale, l) }
                for x in 0..<width { smoothLine(f, start: x, stride: width, count: height, radius, scale, l) }
            }
        }
    }

    /// One running-sum pass over `count` values of `f` starting at `start`, `stride` apart.
    private static func smoothLine(_ f: UnsafeMutableBufferPointer<Float>, start: Int, stride: Int, count: Int,
                                   _ radius: Int, _ scale: Float, _ line: UnsafeMutableBufferPointer<Float>) {
        for i in 0..<(count + 2 * radius) {
            line[i] = f[start + stride * BorderMode.reflect101.index(i - radius, count)]
        }
        var sum: Float = 0
        for i in 0..<(2 * radius + 1) { sum += line[i] }
        for i in 0..<count {
            f[start + stride * i] = sum * scale
            if i + 1 < count { sum += line[i + 2 * radius + 1] - line[i] }
        }
    }
}
