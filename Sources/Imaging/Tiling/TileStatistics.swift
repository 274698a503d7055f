/// Per-channel sums over kept tiles, exact in integers so the statistics of
/// several shards merge into the data set's mean and std without error.
public struct TileStatistics: Sendable, Equatable, Codable {
    public var pixels: UInt64 = 0
    public var sum: [UInt64] = [0, 0, 0]
    public var sumOfSquares: [UInt64] = [0, 0, 0]

    public init() {}

    public mutating func add(_ rgb: UnsafeBufferPointer<UInt8>) {
        var s0: UInt64 = 0, s1: UInt64 = 0, s2: UInt64 = 0, q0: UInt64 = 0, q1: UInt64 = 0, q2: UInt64 = 0
        var index = 0
        while index + 2 < rgb.count {
            let r = UInt64(rgb[index]), g = UInt64(rgb[index + 1]), b = UInt64(rgb[index + 2])
            s0 += r; s1 += g; s2 += b
            q0 += r * r; q1 += g * g; q2 += b * b
            index += 3
        }
        pixels += UInt64(rgb.count / 3)
        sum[0] += s0; sum[1] += s1; sum[2] += s2
        sumOfSquares[0] += q0; sumOfSquares[1] += q1; sumOfSquares[2] += q2
    }

    public mutating func merge(_ other: TileStatistics) {
        pixels += other.pixels
        for c in 0..<3 {
            sum[c] += other.sum[c]
            sumOfSquares[c] += other.sumOfSquares[c]
        }
    }

    /// Per-channel mean on the 0-1 scale (pixel / 255).
    public var mean: [Double] {
        (0..<3).map { pixels == 0 ? 0 : Double(sum[$0]) / Double(pixels) / 255 }
    }

    /// Per-channel population standard deviation on the 0-1 scale.
    public var std: [Double] {
        (0..<3).map { c in
            guard pixels > 0 else { return 0 }
            let n = Double(pixels), m = Double(sum[c]) / n
            return max(0, Double(sumOfSquares[c]) / n - m * m).squareRoot() / 255
        }
    }
}
