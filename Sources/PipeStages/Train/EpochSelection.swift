/// How a fold picks the epoch whose weights become `best.safetensors`
/// (`select:` of a train stage). Both rules are sound on under-confident
/// models, which Dice at a fixed 0.5 cut is not: early in training every
/// probability sits under 0.5, so the fixed cut scores noise and rewards
/// whichever epoch happens to push a few pixels over it.
///
/// - `val_dice` (the default): the highest pooled Dice on the held-out tiles
///   at the threshold the sweep picks for that epoch
///   (`DiceSweep.defaultThresholds`): the competition's metric, judged at the
///   threshold that suits the epoch, as validate will judge the model.
/// - `val_loss`: the lowest loss on the held-out tiles. Smooth and
///   threshold-free, but when the held-out images differ from the training
///   ones the loss can rise while the Dice still improves (confident
///   mistakes cost BCE more than they cost Dice): on the example's fold 1 it
///   kept epoch 1 of 4 at Dice 0.16 where epoch 4 had 0.31.
///
/// Ties keep the earlier epoch.
public enum EpochSelection: String, CaseIterable, Sendable {
    case valLoss = "val_loss"
    case valDice = "val_dice"

    /// The rule a train stage uses when `select` is not written.
    public static let `default` = EpochSelection.valDice

    /// Whether `candidate` is strictly better than `incumbent` under this rule.
    func prefers(_ candidate: EpochRow, over incumbent: EpochRow) -> Bool {
        switch self {
        case .valLoss: return candidate.valLoss < incumbent.valLoss
        case .valDice: return candidate.valDice > incumbent.valDice
        }
    }
}
