import Foundation

/// One completed epoch, as `metrics.csv` and the TensorBoard file report it.
struct EpochRow: Codable, Sendable, Equatable {
    /// 1-based.
    var epoch: Int
    var lr: Double
    var trainLoss: Double
    var valLoss: Double
    var valDice: Double
    /// Wall seconds the epoch took (training and validation).
    var seconds: Double
    /// Unix time when the epoch ended.
    var wallTime: Double
}

/// Where a fold stands after its last completed epoch: everything besides
/// the weights and optimizer tensors that resuming needs.
struct TrainingProgress: Codable, Sendable, Equatable {
    /// Completed epochs.
    var epoch = 0
    /// 1-based epoch of the best validation Dice so far (0 before any).
    var bestEpoch = 0
    var bestDice = -1.0
    var rows: [EpochRow] = []
    /// Unix time the fold's first attempt started (names the event file).
    var startedAt: Double
    /// Seconds spent training (optimizer steps only) and tiles trained on, over all attempts.
    var trainSeconds = 0.0
    var trainImages = 0
    /// What loading `init` weights did (first attempt), for the summary and log.
    var initReport: String?

    init(startedAt: Double) { self.startedAt = startedAt }

    /// Adds a finished epoch; returns whether it is the best so far.
    mutating func record(_ row: EpochRow, trainSeconds: Double, trainImages: Int) -> Bool {
        rows.append(row)
        epoch = row.epoch
        self.trainSeconds += trainSeconds
        self.trainImages += trainImages
        guard row.valDice > bestDice else { return false }
        bestDice = row.valDice
        bestEpoch = row.epoch
        return true
    }

    var seconds: Double { rows.reduce(0) { $0 + $1.seconds } }
    var imagesPerSecond: Double { trainSeconds > 0 ? Double(trainImages) / trainSeconds : 0 }
}
