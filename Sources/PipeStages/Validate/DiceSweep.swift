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

    /// Whether the best threshold is the lowest or the highest swept (and
    /// more than one was): the optimum may lie beyond the grid, so the grid
    /// should be widened before the value is trusted.
    public var bestIsOnEdge: Bool { Self.isOnEdge(best, of: thresholds) }

    /// Whether `value` is the smallest or largest of more than one distinct `thresholds`.
    public static func isOnEdge(_ value: Double, of thresholds: [Double]) -> Bool {
        guard let low = thresholds.min(), let high = thresholds.max(), low < high else { return false }
        return value == low || value == high
    }

    /// The warning for a best threshold on the grid's edge, nil when it is inside.
    /// `fix` says how to widen the grid where the warning is shown.
    public static func edgeWarning(best: Double, thresholds: [Double], what: String, fix: String) -> String? {
        guard isOnEdge(best, of: thresholds), let low = thresholds.min(), let high = thresholds.max() else { return nil }
        let side = best == low ? "lowest" : "highest"
        return "warning: \(what) \(format(best)) is the \(side) threshold swept (\(format(low))...\(format(high))); "
            + "the optimum may lie beyond it; \(fix)"
    }

    static func format(_ value: Double) -> String { String(format: "%g", value) }

    /// `start`, `start + step`, ... up to `end` inclusive, rounded to 1e-9 so 0.1 + 0.05k prints cleanly.
    public static func range(from start: Double, through end: Double, step: Double) -> [Double] {
        precondition(step > 0, "step must be positive")
        let count = Int(((end - start) / step + 1e-9).rounded(.down)) + 1
        return (0..<max(0, count)).map { (((start + Double($0) * step) * 1e9).rounded() / 1e9) }
    }

    /// The default sweep: 0.005, 0.01, 0.02, 0.04, ..., 0.98, 0.99, 0.995.
    /// Under-confident models (few epochs, plain BCE) peak well below 0.1 and
    /// over-confident ones above 0.95 (v54 once peaked on 0.98, the old
    /// grid's top), so the grid spans nearly the whole range, with tails out
    /// to a logit of about ±5.3. Probabilities are bytes, so 0.995 already keeps
    /// only bytes 254 and 255; the histogram makes every extra threshold free.
    public static let defaultThresholds = [0.005, 0.01] + range(from: 0.02, through: 0.98, step: 0.02) + [0.99, 0.995]
}

/// Mean and population standard deviation (numpy's `np.std`) of values; (0, 0) for none.
func meanAndDeviation(_ values: [Double]) -> (mean: Double, std: Double) {
    guard !values.isEmpty else { return (0, 0) }
    let mean = values.reduce(0, +) / Double(values.count)
    let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count)
    return (mean, variance.squareRoot())
}
