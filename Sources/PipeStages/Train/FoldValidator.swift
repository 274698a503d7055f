import NeuralNet

/// Scores the model on a fold's held-out tiles (original tiles, no
/// augmentation) in eval mode: the mean loss per tile and the Dice of the
/// 0.5-thresholded prediction over all held-out pixels together.
struct FoldValidator {
    let tiles: [(shard: TrainingShard, tile: Int)]
    let batch: Int
    let builder: BatchBuilder

    init(_ split: FoldSplit, batch: Int, builder: BatchBuilder) {
        tiles = split.validation.flatMap { shard in (0..<shard.reader.count).map { (shard, $0) } }
        self.batch = batch
        self.builder = builder
    }

    struct Score {
        var loss: Double
        var dice: Double
    }

    /// Loss and Dice of `model` with `loss`; leaves the model in eval mode.
    func score(_ model: SegmentationModel, loss: SegmentationLoss) throws -> Score {
        model.training = false
        let side = builder.side
        var images = Tensor(shape: [batch, 3, side, side]), masks = Tensor(shape: [batch, 1, side, side])
        var totalLoss = 0.0, intersection = 0, predicted = 0, truth = 0
        for start in stride(from: 0, to: tiles.count, by: batch) {
            let chunk = tiles[start..<min(tiles.count, start + batch)]
            if chunk.count != images.shape[0] {
                images = Tensor(shape: [chunk.count, 3, side, side])
                masks = Tensor(shape: [chunk.count, 1, side, side])
            }
            builder.fill(chunk.map { BatchBuilder.Item(shard: $0.shard, tile: $0.tile, rng: nil) }, images: &images, masks: &masks)
            let logits = try model.forward(images)
            totalLoss += Double(loss(logits, masks).value.scalar) * Double(chunk.count)
            logits.value.withUnsafeBufferPointer { x in
                masks.withUnsafeBufferPointer { t in
                    var i = 0, p = 0, q = 0
                    for k in 0..<x.count {
                        let positive = x[k] > 0, target = t[k] > 0.5
                        if positive { p += 1 }
                        if target { q += 1 }
                        if positive && target { i += 1 }
                    }
                    intersection += i; predicted += p; truth += q
                }
            }
        }
        let dice = DiceHistogram.dice(intersection: intersection, predicted: predicted, truth: truth)
        return Score(loss: tiles.isEmpty ? 0 : totalLoss / Double(tiles.count), dice: dice)
    }
}
