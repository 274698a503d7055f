import Foundation

/// Per-item Dice at every threshold, and their mean over items: the Kaggle
/// metric (mean over images of per-image Dice) as a function of the
/// threshold. Items are images (or tiles); each contributes one row.
public struct DiceSweep: Sendable, Equatable {
    public let thresholds: [Double]
    /// `rows[i][k]`: item `i`'s Dice at `thresholds[k]`.
    public private(set) var rows: [[Double]] = []

    public init(thresholds: [Double]) {
        precondition(!thresholds.isEmpty, "a sweep needs at least one threshold")
        self.thresholds = thresholds
    }

    /// Adds one item, scored from its histogram at every threshold.
    public mutating func add(_ histogram: DiceHistogram) { append(histogram.dice(thresholds: thresholds)) }

    /// Adds one item's Dice per threshold (as many values as thresholds).
    public mutating func append(_ row: [Double]) {
        precondition(row.count == thresholds.count, "one Dice per threshold")
        rows.append(row)
    }

    /// Mean Dice over items per threshold (1 for every threshold when there are no items, as for an empty pair).
    public var mean: [Double] {
        guard !rows.isEmpty else { return thresholds.map { _ in 1 } }
        return thresholds.indices.map { k in rows.reduce(0) { $0 + $1[k] } / Double(rows.count) }
    }

    /// The index of the threshold with the highest mean Dice (the lowest such threshold on a tie).
    public var bestIndex: Int {
        let values = mean
        return values.indices.max { values[$0] < values[$1] || (values[$0] == values[$1] && $0 > $1) } ?? 0
    }

    public var best: Double { thresholds[bestIndex] }

    /// `start`, `start + step`, ... up to `end` inclusive, rounded to 1e-9 so 0.1 + 0.05k prints cleanly.
    public static func range(from start: Double, through end: Double, step: Double) -> [Double] {
        precondition(step > 0, "step must be positive")
        let count = Int(((end - start) / step + 1e-9).rounded(.down)) + 1
        return (0..<max(0, count)).map { (((start + Double($0) * step) * 1e9).rounded() / 1e9) }
    }

    /// The default sweep: 0.1, 0.15, ..., 0.9.
    public static let defaultThresholds = range(from: 0.1, through: 0.9, step: 0.05)
}

/// Mean and population standard deviation (numpy's `np.std`) of values; (0, 0) for none.
func meanAndDeviation(_ values: [Double]) -> (mean: Double, std: Double) {
    guard !values.isEmpty else { return (0, 0) }
    let mean = values.reduce(0, +) / Double(values.count)
    let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count)
    return (mean, variance.squareRoot())
}
