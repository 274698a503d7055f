import Foundation
import NeuralNet

/// A percentile bootstrap interval for the mean of per-unit values (per-image
/// paired differences, or any per-image contrast of several versions).
///
/// - Resampling: `resamples` times (10,000 by default), draw `n` units with
///   replacement (index = SplitMix64 output mod n, from `seed`, so the same
///   seed gives the same interval on every machine) and take their mean.
/// - Interval: the 2.5th and 97.5th percentiles of those means, interpolated
///   linearly between order statistics (numpy's default `percentile`).
/// - Why percentile and not BCa: the units are a few images (6 in the example
///   series), and BCa's acceleration, estimated by a jackknife over those few,
///   is itself too noisy to correct anything; for a mean the percentile
///   interval is the usual choice. It is somewhat too narrow for very small
///   n, which is why the unit count is printed beside it.
public struct PairedBootstrap: Sendable {
    public var resamples: Int
    /// The most resamples `pipe ablate --resamples` accepts (8 MB of means).
    public static let maxResamples = 1_000_000
    public var seed: UInt64
    /// Two-sided coverage (0.95).
    public var level: Double

    public init(resamples: Int = 10_000, seed: UInt64 = 21, level: Double = 0.95) {
        self.resamples = resamples
        self.seed = seed
        self.level = level
    }

    /// The interval for the mean of `values`; nil for fewer than two values.
    public func interval(_ values: [Double]) -> ClosedRange<Double>? {
        guard values.count >= 2, resamples > 0 else { return nil }
        var generator = SplitMix64(seed: seed)
        let n = UInt64(values.count)
        var means = [Double](repeating: 0, count: resamples)
        for r in 0..<resamples {
            var sum = 0.0
            for _ in 0..<values.count { sum += values[Int(generator.next() % n)] }
            means[r] = sum / Double(values.count)
        }
        means.sort()
        let tail = (1 - level) / 2
        return Self.percentile(means, tail)...Self.percentile(means, 1 - tail)
    }

    /// The `q` quantile (0...1) of sorted `values`, linear between order statistics.
    public static func percentile(_ sorted: [Double], _ q: Double) -> Double {
        let position = q * Double(sorted.count - 1)
        let low = Int(position.rounded(.down)), high = min(low + 1, sorted.count - 1)
        return sorted[low] + (sorted[high] - sorted[low]) * (position - Double(low))
    }
}
