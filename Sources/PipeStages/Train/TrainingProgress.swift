import Foundation

/// One completed epoch, as `metrics.csv` and the TensorBoard file report it.
struct EpochRow: Codable, Sendable, Equatable {
    /// 1-based.
    var epoch: Int
    var lr: Double
    var trainLoss: Double
    var valLoss: Double
    /// Pooled Dice of the held-out tiles at `valThreshold`, the threshold the sweep picks for this epoch.
    var valDice: Double
    /// The probability threshold of `valDice`.
    var valThreshold: Double = 0.5
    /// Pooled Dice at probability 0.5 (logit 0), the fixed cut, for comparison.
    var valDiceHalf: Double = 0
    /// Wall seconds the epoch took (training and validation): for the task's `seconds` metric, never
    /// written into the output, so a fold's output is the same bytes however fast it ran.
    var seconds: Double
}

/// Where a fold stands after its last completed epoch: everything besides
/// the weights and optimizer tensors that resuming needs.
struct TrainingProgress: Codable, Sendable, Equatable {
    /// Completed epochs.
    var epoch = 0
    /// 1-based epoch that the selection rule ranks best so far (0 before any).
    var bestEpoch = 0
    var rows: [EpochRow] = []
    /// Seconds spent training (optimizer steps only) and tiles trained on, over all attempts.
    var trainSeconds = 0.0
    var trainImages = 0
    /// What loading `init` weights did (first attempt), for the summary and log.
    var initReport: String?

    /// Adds a finished epoch; returns whether `selection` ranks it the best so far.
    mutating func record(_ row: EpochRow, trainSeconds: Double, trainImages: Int,
                         by selection: EpochSelection = .default) -> Bool {
        let incumbent = best
        rows.append(row)
        epoch = row.epoch
        self.trainSeconds += trainSeconds
        self.trainImages += trainImages
        if let incumbent, !selection.prefers(row, over: incumbent) { return false }
        bestEpoch = row.epoch
        return true
    }

    /// The row of the best epoch, nil before any.
    var best: EpochRow? { rows.first { $0.epoch == bestEpoch } }

    var seconds: Double { rows.reduce(0) { $0 + $1.seconds } }
    var imagesPerSecond: Double { trainSeconds > 0 ? Double(trainImages) / trainSeconds : 0 }
}
