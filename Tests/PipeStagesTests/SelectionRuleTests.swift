import Foundation
@testable import PipeStages
import Testing

/// Pooled held-out pixels of one epoch: 100 glomerulus pixels and 900
/// background ones, each group split between two probability bytes.
private func pixels(truth: [(byte: UInt8, count: Int)], background: [(byte: UInt8, count: Int)]) -> DiceHistogram {
    var probabilities: [UInt8] = [], mask: [UInt8] = []
    for (byte, count) in truth { probabilities += Array(repeating: byte, count: count); mask += Array(repeating: 1, count: count) }
    for (byte, count) in background { probabilities += Array(repeating: byte, count: count); mask += Array(repeating: 0, count: count) }
    var histogram = DiceHistogram()
    histogram.add(probabilities: probabilities, truth: mask)
    return histogram
}

/// Mean binary cross-entropy of the histogram's pixels (what `val_loss` is for a BCE model).
private func crossEntropy(_ histogram: DiceHistogram) -> Double {
    var total = 0.0, count = 0
    for b in 0..<256 {
        let p = min(max(Double(b) / 255, 1e-7), 1 - 1e-7)
        total -= Double(histogram.onTruth[b]) * log(p) + Double(histogram.offTruth[b]) * log(1 - p)
        count += histogram.onTruth[b] + histogram.offTruth[b]
    }
    return total / Double(count)
}

/// Three epochs of an under-confident model: epoch 1 is noise that happens
/// to push a few pixels over 0.5; by epoch 3 the model separates glomeruli
/// from background perfectly, but every probability is still under 0.5.
private let epochs: [DiceHistogram] = [
    pixels(truth: [(130, 10), (100, 90)], background: [(130, 20), (100, 880)]),
    pixels(truth: [(90, 80), (40, 20)], background: [(40, 900)]),
    pixels(truth: [(60, 100)], background: [(10, 900)]),
]

private func rows() -> [EpochRow] {
    epochs.enumerated().map { index, histogram in
        let score = FoldValidator.judge(histogram, loss: crossEntropy(histogram), thresholds: DiceSweep.defaultThresholds)
        return EpochRow(epoch: index + 1, lr: 1e-3, trainLoss: 0, valLoss: score.loss, valDice: score.dice,
                        valThreshold: score.threshold, valDiceHalf: score.diceHalf, seconds: 1)
    }
}

@Test func theOldRulePicksTheNoisyFirstEpochOfAnUnderConfidentModel() {
    let rows = rows()
    // Dice at 0.5 (the rule before issue 15) ranks the noise first: epoch 3 predicts nothing at 0.5.
    #expect(rows[2].valDiceHalf == 0)
    #expect(rows.max { $0.valDiceHalf < $1.valDiceHalf }?.epoch == 1)
}

@Test(arguments: EpochSelection.allCases) func bothSoundRulesPickTheSeparatingEpoch(_ rule: EpochSelection) throws {
    var progress = TrainingProgress()
    var improved: [Bool] = []
    for row in rows() { improved.append(progress.record(row, trainSeconds: 1, trainImages: 8, by: rule)) }
    #expect(progress.bestEpoch == 3)
    #expect(improved == [true, true, true])
    let best = try #require(progress.best)
    #expect(best.valDice == 1)
    #expect(best.valThreshold >= 10.0 / 255 && best.valThreshold < 60.0 / 255, "\(best.valThreshold)")
}

@Test func tiesAndWorseEpochsKeepTheEarlierBest() {
    let row = EpochRow(epoch: 1, lr: 0, trainLoss: 0, valLoss: 0.3, valDice: 0.8, seconds: 0)
    var same = row, worse = row
    same.epoch = 2
    worse.epoch = 3; worse.valLoss = 0.4; worse.valDice = 0.9
    func record(_ rows: [EpochRow], by rule: EpochSelection) -> (improved: [Bool], best: Int) {
        var progress = TrainingProgress()
        let improved = rows.map { progress.record($0, trainSeconds: 0, trainImages: 0, by: rule) }
        return (improved, progress.bestEpoch)
    }
    let byLoss = record([row, same, worse], by: .valLoss)
    #expect(byLoss.improved == [true, false, false] && byLoss.best == 1)
    let byDice = record([row, same, worse], by: .valDice)
    #expect(byDice.improved == [true, false, true] && byDice.best == 3)
}

@Test func theDefaultSweepReachesAnUnderConfidentOptimumTheOldGridMissed() {
    // Glomeruli at ~0.06, background at ~0.03: the optimum lies under 0.1.
    let histogram = pixels(truth: [(16, 80), (30, 20)], background: [(8, 880), (20, 20)])
    var old = DiceSweep(thresholds: DiceSweep.range(from: 0.1, through: 0.9, step: 0.05))
    var new = DiceSweep(thresholds: DiceSweep.defaultThresholds)
    old.add(histogram)
    new.add(histogram)
    #expect(old.best == 0.1 && old.bestIsOnEdge)
    #expect(!new.bestIsOnEdge && new.best < 0.1, "\(new.best)")
    #expect(new.mean[new.bestIndex] > old.mean[old.bestIndex] + 0.5)
    #expect(DiceSweep.defaultThresholds.first == 0.005 && DiceSweep.defaultThresholds.last == 0.995)
}

@Test func theDefaultSweepReachesAnOverConfidentOptimumAbove98() {
    // Glomeruli at byte 254 (0.996), false positives at bytes 240-250 (0.94-0.98): every threshold up to 0.98
    // keeps some of them, 0.99 keeps none, so the optimum lies between 0.98 and 0.995.
    let histogram = pixels(truth: [(254, 100)], background: [(250, 20), (248, 40), (240, 80), (10, 760)])
    var old = DiceSweep(thresholds: DiceSweep.range(from: 0.02, through: 0.98, step: 0.02))
    var new = DiceSweep(thresholds: DiceSweep.defaultThresholds)
    old.add(histogram)
    new.add(histogram)
    #expect(old.best == 0.98 && old.bestIsOnEdge)
    #expect(!new.bestIsOnEdge && new.best == 0.99, "\(new.best)")
    #expect(new.mean[new.bestIndex] == 1 && old.mean[old.bestIndex] < 0.91)
}

@Test func aBestThresholdOnTheGridsEdgeIsFlaggedAndWarned() {
    func report(_ dice: [Double]) -> ValidationReport {
        ValidationReport(thresholds: [0.2, 0.4, 0.6], images: [
            ImageScores(fold: 0, id: "a", width: 1, height: 1, image: dice, tiles: nil, tileCount: 0, truthArea: 1),
        ])
    }
    let low = report([0.9, 0.8, 0.7]), inside = report([0.7, 0.9, 0.8]), high = report([0.1, 0.2, 0.3])
    #expect(low.thresholdOnEdge && high.thresholdOnEdge && !inside.thresholdOnEdge)
    #expect(low.edgeWarning?.contains("0.2 is the lowest threshold swept (0.2...0.6)") == true, "\(low.edgeWarning ?? "")")
    #expect(high.edgeWarning?.contains("highest") == true)
    #expect(inside.edgeWarning == nil)
    #expect(low.sweepJSON["best_on_edge"]?.boolValue == true && inside.sweepJSON["best_on_edge"]?.boolValue == false)
    #expect(low.metrics["threshold_on_edge"]?.intValue == 1)
    // A single threshold has no edge to sit on.
    #expect(!DiceSweep.isOnEdge(0.5, of: [0.5]))
}

@Test func theHoldoutIsReportedAtTheCVThresholdNotItsOwnBest() {
    var report = ValidationReport(thresholds: [0.2, 0.4, 0.6], images: [
        ImageScores(fold: 0, id: "a", width: 1, height: 1, image: [0.5, 0.9, 0.6], tiles: nil, tileCount: 0, truthArea: 1),
        ImageScores(fold: 1, id: "b", width: 1, height: 1, image: [0.5, 0.7, 0.6], tiles: nil, tileCount: 0, truthArea: 1),
    ])
    report.holdout = [
        ImageScores(fold: -1, id: "h1", width: 1, height: 1, image: [0.3, 0.6, 0.95], tiles: nil, tileCount: 0, truthArea: 1),
        ImageScores(fold: -1, id: "h2", width: 1, height: 1, image: [0.3, 0.8, 0.85], tiles: nil, tileCount: 0, truthArea: 1),
    ]
    #expect(report.threshold == 0.4)
    #expect(abs((report.metrics["holdout_dice_image"]?.doubleValue ?? 0) - 0.7) < 1e-9)
    #expect(report.metrics["holdout_images"]?.intValue == 2)
    let holdout = report.scoresJSON["holdout"]
    #expect(holdout?["own_best_threshold"]?.doubleValue == 0.6)
    #expect(holdout?["threshold"]?.doubleValue == 0.4)
}

@Test func aHoldoutImageThatAFoldSawIsRefused() {
    let folds = [TrainedFold(fold: 0, directory: URL(fileURLWithPath: "/0"), validationImages: ["a"], trainImages: ["b", "external"])]
    #expect(throws: StageError.self) { try HoldoutCheck.checkUnseen(["h", "b"], folds: folds, source: "data.holdout") }
    #expect(throws: StageError.self) { try HoldoutCheck.checkUnseen(["a"], folds: folds, source: "data.holdout") }
    #expect(throws: Never.self) { try HoldoutCheck.checkUnseen(["h"], folds: folds, source: "data.holdout") }
}
