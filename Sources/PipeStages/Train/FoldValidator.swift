import Foundation
import NeuralNet

/// Scores the model on a fold's held-out tiles (original tiles, no
/// augmentation) in eval mode: the mean loss per tile, and the Dice of all
/// held-out pixels pooled at every threshold of `thresholds` (probabilities
/// quantised to bytes as the validate stage does, `round(p * 255)`), so an
/// epoch is judged at the threshold that suits it rather than at a fixed cut.
struct FoldValidator {
    let tiles: [(shard: TrainingShard, tile: Int)]
    let batch: Int
    let builder: BatchBuilder
    let thresholds: [Double]

    init(_ split: FoldSplit, batch: Int, builder: BatchBuilder, thresholds: [Double] = DiceSweep.defaultThresholds) {
        tiles = split.validation.flatMap { shard in (0..<shard.reader.count).map { (shard, $0) } }
        self.batch = batch
        self.builder = builder
        self.thresholds = thresholds
    }

    struct Score {
        var loss: Double
        /// The pooled histogram of the held-out pixels.
        var histogram: DiceHistogram
        /// Dice at the best threshold of the sweep, and that threshold.
        var dice: Double
        var threshold: Double
        /// Dice at probability 0.5 (logit 0).
        var diceHalf: Double
        /// Whether the best threshold is the lowest or highest of the sweep.
        var thresholdOnEdge: Bool
    }

    /// Loss and Dice of `model` with `loss`; leaves the model in eval mode.
    func score(_ model: SegmentationModel, loss: SegmentationLoss) throws -> Score {
        model.training = false
        let side = builder.side
        var images = Tensor(shape: [batch, 3, side, side]), masks = Tensor(shape: [batch, 1, side, side])
        var totalLoss = 0.0, histogram = DiceHistogram()
        var bytes: [UInt8] = [], truth: [UInt8] = []
        for start in stride(from: 0, to: tiles.count, by: batch) {
            let chunk = tiles[start..<min(tiles.count, start + batch)]
            if chunk.count != images.shape[0] {
                images = Tensor(shape: [chunk.count, 3, side, side])
                masks = Tensor(shape: [chunk.count, 1, side, side])
            }
            builder.fill(chunk.map { BatchBuilder.Item(shard: $0.shard, tile: $0.tile, rng: nil) }, images: &images, masks: &masks)
            let logits = try model.forward(images)
            totalLoss += Double(loss(logits, masks).value.scalar) * Double(chunk.count)
            Self.quantise(logits.value, masks, bytes: &bytes, truth: &truth)
            histogram.add(probabilities: bytes, truth: truth)
        }
        return Self.judge(histogram, loss: tiles.isEmpty ? 0 : totalLoss / Double(tiles.count), thresholds: thresholds)
    }

    /// The score of pooled pixels: the sweep's best threshold and its Dice, and the Dice at 0.5.
    static func judge(_ histogram: DiceHistogram, loss: Double, thresholds: [Double]) -> Score {
        var sweep = DiceSweep(thresholds: thresholds)
        sweep.add(histogram)
        let k = sweep.bestIndex
        return Score(loss: loss, histogram: histogram, dice: sweep.rows[0][k], threshold: sweep.best,
                     diceHalf: histogram.dice(threshold: 0.5), thresholdOnEdge: sweep.bestIsOnEdge)
    }

    /// Sigmoid probabilities of `logits` as bytes (`round(p * 255)`) and the masks as 0/1 bytes.
    static func quantise(_ logits: Tensor, _ masks: Tensor, bytes: inout [UInt8], truth: inout [UInt8]) {
        let count = logits.count
        if bytes.count != count { bytes = [UInt8](repeating: 0, count: count); truth = bytes }
        logits.withUnsafeBufferPointer { x in
            masks.withUnsafeBufferPointer { t in
                bytes.withUnsafeMutableBufferPointer { out in
                    truth.withUnsafeMutableBufferPointer { mask in
                        for k in 0..<count {
                            let p = 1 / (1 + exp(-Double(x[k])))
                            out[k] = UInt8(max(0, min(255, (p * 255).rounded())))
                            mask[k] = t[k] > 0.5 ? 1 : 0
                        }
                    }
                }
            }
        }
    }
}
