import Imaging
import NeuralNet

/// Fold assignment (docs/ml-stages.md): Kaggle image ids sorted, shuffled by
/// a SplitMix64 generator seeded with `seed` (Fisher-Yates from the end,
/// `j = high 64 bits of next() * (i + 1)`), then dealt round-robin into
/// `folds` groups. External sets are never held out, so they take no part.
public enum TrainFolds {
    /// The fold of every image id.
    public static func assign(images: [String], folds: Int, seed: UInt64) -> [String: Int] {
        precondition(folds > 0, "folds must be positive")
        let sorted = Array(Set(images)).sorted()
        var rng = SplitMix64(seed: seed)
        var folding: [String: Int] = [:]
        for (position, index) in TrainRandom.shuffled(Array(sorted.indices), &rng).enumerated() {
            folding[sorted[index]] = position % folds
        }
        return folding
    }
}

/// Which shards fold `fold` trains on and which it validates on.
struct FoldSplit: Sendable {
    let fold: Int
    /// Training shards: every copy of the training images, and every external set.
    let training: [TrainingShard]
    /// The held-out images' original tiles (never augmented copies).
    let validation: [TrainingShard]
    let trainImages: [String]
    let validationImages: [String]

    init(_ source: TrainingSource, folds: Int, fold: Int, seed: UInt64) {
        let assignment = TrainFolds.assign(images: source.heldOutCandidates, folds: folds, seed: seed)
        func heldOut(_ shard: TrainingShard) -> Bool { !shard.external && assignment[shard.image] == fold }
        self.fold = fold
        training = source.shards.filter { !heldOut($0) }
        validation = source.shards.filter { heldOut($0) && $0.copy == 0 }
        trainImages = Set(training.map(\.image)).sorted()
        validationImages = Set(validation.map(\.image)).sorted()
    }

    /// Per-channel mean and std (0...255 units) of the training images' tiles,
    /// from the exact sums in their manifests.
    func normalisation(_ source: TrainingSource) -> (mean: [Float], std: [Float]) {
        var total = TileStatistics()
        for image in trainImages { if let statistics = source.statistics[image] { total.merge(statistics) } }
        guard total.pixels > 0 else { return ([0, 0, 0], [255, 255, 255]) }
        return (total.mean.map { Float($0 * 255) }, total.std.map { Float(max($0 * 255, 1e-3)) })
    }
}
