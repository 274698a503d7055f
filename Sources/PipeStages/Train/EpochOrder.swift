import NeuralNet

/// The training samples of one fold and the order they are drawn in. Every
/// random choice comes from a generator derived from (seed, fold, epoch), so
/// an epoch's batches are the same whether or not the run was resumed.
struct EpochOrder: Sendable {
    /// A tile of the training set: its shard (index into the split's
    /// `training`) and its index in the shard.
    struct Sample: Sendable, Hashable {
        var shard: Int
        var tile: Int
    }

    let samples: [Sample]
    let positives: [Int]
    let negatives: [Int]
    let batch: Int
    let balance: Double?
    let reshuffle: Bool
    let seed: UInt64
    let fold: Int

    init(_ shards: [TrainingShard], settings: TrainSettings, fold: Int) {
        var samples: [Sample] = [], positives: [Int] = [], negatives: [Int] = []
        for (s, shard) in shards.enumerated() {
            for (t, entry) in shard.reader.entries.enumerated() {
                if entry.maskPixels > 0 { positives.append(samples.count) } else { negatives.append(samples.count) }
                samples.append(Sample(shard: s, tile: t))
            }
        }
        self.samples = samples
        self.positives = positives
        self.negatives = negatives
        batch = settings.batch
        balance = settings.balance
        reshuffle = settings.reshuffle
        seed = settings.seed
        self.fold = fold
    }

    /// Optimizer steps per epoch: one per full batch (at least one; a short
    /// set is cycled to fill it).
    var stepsPerEpoch: Int { max(1, samples.count / batch) }

    /// The sample indices of every step of `epoch` (0-based), `batch` each.
    /// With `balance`, `round(balance * batch)` of them come from tiles with
    /// mask pixels and the rest from tiles without, each list cycled.
    func steps(epoch: Int) -> [[Int]] {
        var rng = SplitMix64(seed: TrainRandom.seed(seed, 0x6f72_6465_72, UInt64(fold), UInt64(reshuffle ? epoch : 0)))
        let steps = stepsPerEpoch
        if let balance, !positives.isEmpty, !negatives.isEmpty {
            let fromPositives = min(batch, max(0, Int((balance * Double(batch)).rounded())))
            let p = TrainRandom.shuffled(positives, &rng), n = TrainRandom.shuffled(negatives, &rng)
            return (0..<steps).map { s in
                (0..<fromPositives).map { p[(s * fromPositives + $0) % p.count] }
                    + (0..<(batch - fromPositives)).map { n[(s * (batch - fromPositives) + $0) % n.count] }
            }
        }
        let order = TrainRandom.shuffled(Array(samples.indices), &rng)
        return (0..<steps).map { s in (0..<batch).map { order[(s * batch + $0) % order.count] } }
    }

    /// `min(count, samples)` distinct sample indices in random order, for the
    /// batch-norm recompute (`precise_bn`), from a generator derived from
    /// (seed, fold) alone. Random, not in shard order: in training mode each
    /// batch is normalised by its own statistics, so batches of one image (or
    /// of the external set) alone give statistics no mixed training batch or
    /// whole slide has (on the example, fold 0 of v54 scored image Dice
    /// 0.38-0.79 with shard-ordered batches and 0.80-0.91 with shuffled ones).
    func batchNormSample(_ count: Int) -> [Int] {
        var rng = SplitMix64(seed: TrainRandom.seed(seed, 0x626e_7361_6d70, UInt64(fold)))
        return Array(TrainRandom.shuffled(Array(samples.indices), &rng).prefix(max(0, count)))
    }
}

/// Seeds derived from a base seed and a tuple of integers, by SplitMix64
/// mixing, so every (seed, fold, epoch, step, slot) has its own stream.
enum TrainRandom {
    static func seed(_ base: UInt64, _ parts: UInt64...) -> UInt64 {
        var rng = SplitMix64(seed: base)
        var value = rng.next()
        for part in parts {
            rng = SplitMix64(seed: value ^ (part &* 0xD6E8_FEB8_6659_FD93))
            value = rng.next()
        }
        return value
    }

    /// `items` in Fisher-Yates order drawn from `rng`.
    static func shuffled(_ items: [Int], _ rng: inout SplitMix64) -> [Int] {
        var items = items
        guard items.count > 1 else { return items }
        for i in stride(from: items.count - 1, to: 0, by: -1) {
            items.swapAt(i, Int(rng.next().multipliedFullWidth(by: UInt64(i + 1)).high))
        }
        return items
    }
}
