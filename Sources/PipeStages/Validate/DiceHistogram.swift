/// Dice of a uint8 probability map (probability x 255) against a binary
/// truth, for every threshold at once: a 256-bin histogram of the predicted
/// bytes under set truth pixels and another under clear ones. Adding pixels
/// is one pass; the Dice at any threshold is then 256 steps, so a
/// full-resolution image streams through in bands and is never held, and a
/// threshold sweep costs nothing extra.
///
/// A pixel is predicted at threshold `t` when `Double(byte) / 255 > t`
/// (the same float64 comparison as numpy's `prob / 255 > t`).
public struct DiceHistogram: Sendable, Equatable {
    /// `onTruth[b]`: truth pixels (non-zero) whose predicted byte is `b`.
    public private(set) var onTruth = [Int](repeating: 0, count: 256)
    /// `offTruth[b]`: background pixels whose predicted byte is `b`.
    public private(set) var offTruth = [Int](repeating: 0, count: 256)

    public init() {}

    /// Adds pixels: `probabilities[i]` predicted for `truth[i]` (any non-zero byte is set).
    public mutating func add(probabilities: UnsafeBufferPointer<UInt8>, truth: UnsafeBufferPointer<UInt8>) {
        precondition(probabilities.count == truth.count, "probabilities and truth must cover the same pixels")
        onTruth.withUnsafeMutableBufferPointer { onTruth in
            offTruth.withUnsafeMutableBufferPointer { offTruth in
                for i in 0..<truth.count {
                    if truth[i] != 0 { onTruth[Int(probabilities[i])] += 1 } else { offTruth[Int(probabilities[i])] += 1 }
                }
            }
        }
    }

    public mutating func add(probabilities: [UInt8], truth: [UInt8]) {
        probabilities.withUnsafeBufferPointer { p in truth.withUnsafeBufferPointer { add(probabilities: p, truth: $0) } }
    }

    /// Adds another histogram's pixels (pooling tiles or bands).
    public mutating func merge(_ other: DiceHistogram) {
        for b in 0..<256 {
            onTruth[b] += other.onTruth[b]
            offTruth[b] += other.offTruth[b]
        }
    }

    /// Truth pixels.
    public var truthArea: Int { onTruth.reduce(0, +) }

    /// |X ∩ Y|, |X| and |Y| at threshold `t` (X predicted, Y truth).
    public func counts(threshold t: Double) -> (intersection: Int, predicted: Int, truth: Int) {
        var intersection = 0, predicted = 0
        for b in 0..<256 where Double(b) / 255 > t {
            intersection += onTruth[b]
            predicted += onTruth[b] + offTruth[b]
        }
        return (intersection, predicted, truthArea)
    }

    /// 2|X∩Y| / (|X| + |Y|) at threshold `t`; 1 when both are empty.
    public func dice(threshold t: Double) -> Double {
        let c = counts(threshold: t)
        return Self.dice(intersection: c.intersection, predicted: c.predicted, truth: c.truth)
    }

    /// Dice at each threshold.
    public func dice(thresholds: [Double]) -> [Double] { thresholds.map { dice(threshold: $0) } }

    public static func dice(intersection: Int, predicted: Int, truth: Int) -> Double {
        predicted + truth == 0 ? 1 : 2 * Double(intersection) / Double(predicted + truth)
    }

    /// Whether a byte counts as predicted at threshold `t` (the rule above).
    public static func isPredicted(_ byte: UInt8, threshold t: Double) -> Bool { Double(byte) / 255 > t }
}
