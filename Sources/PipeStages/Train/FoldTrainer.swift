import Foundation
import Imaging
import NeuralNet

/// Trains one fold epoch by epoch: the model, its optimizer and schedule,
/// and preallocated batch tensors. Every random draw of epoch `e`, step `s`
/// comes from generators derived from (seed, fold, e, s), so resuming after
/// epoch `e` continues exactly as an uninterrupted run would.
final class FoldTrainer {
    let settings: TrainSettings
    let split: FoldSplit
    let order: EpochOrder
    let model: SegmentationModel
    let optimizer: Optimizer
    let schedule: LearningRateSchedule
    let builder: BatchBuilder
    private var images: Tensor
    private var masks: Tensor

    /// What one epoch of training did.
    struct EpochResult {
        var loss: Double
        var lr: Float
        var images: Int
        var seconds: Double
    }

    init(settings: TrainSettings, split: FoldSplit, source: TrainingSource, model: SegmentationModel) {
        self.settings = settings
        self.split = split
        self.model = model
        order = EpochOrder(split.training, settings: settings, fold: split.fold)
        optimizer = settings.optimizer.make(model.parameters)
        schedule = settings.schedule.schedule(stepsPerEpoch: order.stepsPerEpoch, epochs: settings.epochs)
        let (mean, std) = split.normalisation(source)
        builder = BatchBuilder(side: source.size, mean: mean, std: std, augmenter: source.policy.map(Augmenter.init),
                               threads: settings.threads)
        images = Tensor(shape: [settings.batch, 3, source.size, source.size])
        masks = Tensor(shape: [settings.batch, 1, source.size, source.size])
    }

    /// Trains epoch `epoch` (0-based). `progress(step, loss)` follows each
    /// step; a loss that is not finite throws `TrainingDiverged`.
    func trainEpoch(_ epoch: Int, progress: (Int, Float) -> Void) throws -> EpochResult {
        let started = Date()
        model.training = true
        let steps = order.steps(epoch: epoch), parameters = model.parameters.map(\.variable)
        var total = 0.0, lr = settings.optimizer.lr
        for (step, indices) in steps.enumerated() {
            let global = epoch * order.stepsPerEpoch + step
            let items = indices.enumerated().map { slot, index in
                let sample = order.samples[index]
                let stream = TrainRandom.seed(settings.seed, UInt64(split.fold), UInt64(epoch), UInt64(step), UInt64(slot))
                return BatchBuilder.Item(shard: split.training[sample.shard], tile: sample.tile,
                                         rng: AugmentationRNG(seed: settings.seed, stream: stream))
            }
            builder.fill(items, images: &images, masks: &masks)
            model.store.rng = SplitMix64(seed: TrainRandom.seed(settings.seed, 0x64726f70, UInt64(split.fold), UInt64(global)))
            lr = schedule.learningRate(base: settings.optimizer.lr, step: global)
            optimizer.learningRate = lr
            let value = try optimizationStep(parameters)
            guard value.isFinite else { throw TrainingDiverged(epoch: epoch, step: step, steps: steps.count, loss: value) }
            total += Double(value)
            progress(step, value)
        }
        return EpochResult(loss: total / Double(steps.count), lr: lr, images: steps.count * settings.batch,
                           seconds: Date().timeIntervalSince(started))
    }

    /// Recomputes the model's batch-norm statistics (`SegmentationModel.recomputeBatchNormStatistics`)
    /// over `count` of the fold's training tiles, unaugmented, drawn at random
    /// (`EpochOrder.batchNormSample`) so every batch of `settings.batch` mixes
    /// images as a training batch does. Draws nothing from the training
    /// generators, so the epochs that follow are unchanged.
    func recomputeBatchNormStatistics(tiles count: Int) throws {
        let picked = order.batchNormSample(count).map { index in
            let sample = order.samples[index]
            return BatchBuilder.Item(shard: split.training[sample.shard], tile: sample.tile, rng: nil)
        }
        let n = picked.count
        guard n > 0 else { return }
        model.store.rng = SplitMix64(seed: TrainRandom.seed(settings.seed, 0x626e, UInt64(split.fold)))
        let (builder, side, batch) = (builder, builder.side, settings.batch)
        let batches = stride(from: 0, to: n, by: batch).lazy.map { start in
            let chunk = Array(picked[start..<min(n, start + batch)])
            var images = Tensor(shape: [chunk.count, 3, side, side]), masks = Tensor(shape: [chunk.count, 1, side, side])
            builder.fill(chunk, images: &images, masks: &masks)
            return images
        }
        try model.recomputeBatchNormStatistics(over: batches)
    }

    /// One forward, backward and update on the current batch; returns the loss.
    private func optimizationStep(_ parameters: [Variable]) throws -> Float {
        model.store.zeroGrad()
        let loss = settings.loss(try model.forward(images), masks)
        let value = loss.value.scalar
        guard value.isFinite else { return value }
        loss.backward()
        if let clip = settings.clip {
            let norm = clipGradNorm(parameters, maxNorm: clip)
            guard norm.isFinite else { return norm }
        }
        optimizer.step()
        return value
    }
}

/// A loss (or gradient norm) that became NaN or infinite.
struct TrainingDiverged: Error {
    var epoch: Int
    var step: Int
    var steps: Int
    var loss: Float
}
