import Foundation
import NeuralNet
import PipeCore

/// One fold's training from start (or from its saved state) to its output files.
struct FoldRun {
    let context: TaskContext
    let settings: TrainSettings
    let split: FoldSplit
    let source: TrainingSource

    func train() throws -> TaskOutcome {
        let model = try SegmentationModel(settings.model, seed: settings.seed)
        let state = TrainingState(directory: context.stateDirectory)
        let saved = state.latest()
        // Pretrained weights go in before the optimizer exists, so Lookahead's slow weights start from them.
        let initReport = saved == nil ? try settings.initWeights.map { try InitWeights.load($0, context: context, into: model) } : nil
        let trainer = FoldTrainer(settings: settings, split: split, source: source, model: model)
        let validator = FoldValidator(split, batch: settings.batch, builder: trainer.builder)
        let fields = TrainOutputs.description(settings, split: split, source: source)
        var progress: TrainingProgress, folder: URL?, log: [String] = []
        if let saved {
            try state.restore(saved.folder, model: model, optimizer: trainer.optimizer)
            (progress, folder) = (saved.progress, saved.folder)
            log.append("resumed fold \(split.fold) after epoch \(progress.epoch) of \(settings.epochs)")
        } else {
            progress = TrainingProgress()
            progress.initReport = initReport
        }
        if let report = progress.initReport { log.append("init: \(report)") }
        for epoch in progress.epoch..<settings.epochs {
            let started = Date()
            let result = try trainEpoch(trainer, epoch: epoch, progress: progress)
            let done = Double(epoch + 1) / Double(settings.epochs), at = "fold \(split.fold) epoch \(epoch + 1)/\(settings.epochs)"
            if settings.preciseBatchNorm > 0 {
                context.progress(done, "\(at) batch-norm statistics")
                try trainer.recomputeBatchNormStatistics(tiles: settings.preciseBatchNorm)
            }
            context.progress(done, "\(at) validating")
            let score = try validator.score(model, loss: settings.loss)
            let row = EpochRow(epoch: epoch + 1, lr: Double(result.lr), trainLoss: result.loss, valLoss: score.loss,
                               valDice: score.dice, valThreshold: score.threshold, valDiceHalf: score.diceHalf,
                               seconds: Date().timeIntervalSince(started))
            let improved = progress.record(row, trainSeconds: result.seconds, trainImages: result.images, by: settings.selection)
            try state.save(progress, model: model, optimizer: trainer.optimizer,
                           best: improved ? TrainOutputs.metadata(fields, bestEpoch: row.epoch) : nil, previous: folder)
            folder = context.stateDirectory.appendingPathComponent("epoch-\(row.epoch)")
        }
        log += Self.selectionLog(progress, selection: settings.selection, thresholds: validator.thresholds)
        return TaskOutcome(metrics: try writeOutputs(model, progress: progress, fields: fields, best: folder, validator: validator),
                           log: log.joined(separator: "\n"))
    }

    /// Which epoch was kept and why, and a warning when its threshold sits on the sweep's edge.
    static func selectionLog(_ progress: TrainingProgress, selection: EpochSelection, thresholds: [Double]) -> [String] {
        guard let best = progress.best else { return [] }
        let value = selection == .valLoss ? String(format: "val_loss %.4f", best.valLoss) : String(format: "val_dice %.4f", best.valDice)
        var lines = ["best epoch \(best.epoch) of \(progress.epoch) by \(value) ("
                     + String(format: "Dice %.4f at threshold %g; %.4f at 0.5)", best.valDice, best.valThreshold, best.valDiceHalf)]
        if let warning = DiceSweep.edgeWarning(best: best.valThreshold, thresholds: thresholds, what: "epoch \(best.epoch)'s threshold",
                                               fix: "the model is very under- or over-confident; train longer or check the loss") {
            lines.append(warning)
        }
        return lines
    }

    private func trainEpoch(_ trainer: FoldTrainer, epoch: Int, progress: TrainingProgress) throws -> FoldTrainer.EpochResult {
        let steps = trainer.order.stepsPerEpoch, epochs = settings.epochs
        let dice = progress.rows.last.map { String(format: " dice %.3f", $0.valDice) } ?? ""
        do {
            return try trainer.trainEpoch(epoch) { step, loss in
                let fraction = (Double(epoch * steps + step + 1)) / Double(epochs * steps)
                context.progress(fraction, "fold \(split.fold) epoch \(epoch + 1)/\(epochs) step \(step + 1)/\(steps) loss \(String(format: "%.4f", loss))\(dice)")
            }
        } catch let diverged as TrainingDiverged {
            let lr = settings.optimizer.lr
            throw StageError("fold \(split.fold): the loss became \(diverged.loss.isNaN ? "NaN" : "infinite") at epoch \(diverged.epoch + 1)/\(epochs), step \(diverged.step + 1)/\(diverged.steps); the learning rate is probably too high: lower 'optimizer.lr' (now \(lr))\(settings.clip == nil ? " or set 'clip'" : "")",
                             at: context.stage.location(of: "optimizer.lr"))
        }
    }

    private func writeOutputs(_ model: SegmentationModel, progress: TrainingProgress, fields: [String: JSONValue], best: URL?,
                              validator: FoldValidator) throws -> JSONValue {
        let outputs = TrainOutputs(directory: context.outputDirectory)
        let directory = context.outputDirectory
        if let best {
            try FileManager.default.copyItem(at: best.appendingPathComponent(TrainingState.best),
                                             to: directory.appendingPathComponent("best.safetensors"))
        }
        try ModelCheckpoint.save(model, to: directory.appendingPathComponent("last.safetensors"),
                                 metadata: TrainOutputs.metadata(fields, bestEpoch: progress.bestEpoch))
        try outputs.writeModel(fields, bestEpoch: progress.bestEpoch)
        try outputs.writeMetrics(progress.rows)
        try outputs.writeEvents(progress)
        return try outputs.writeSummary(progress, split: split, trainTiles: split.training.reduce(0) { $0 + $1.reader.count },
                                        validationTiles: validator.tiles.count, initReport: progress.initReport,
                                        selection: settings.selection)
    }
}

/// Pretrained `init` weights: loaded by name where the model has the same
/// tensor (an encoder-only file fills the encoder), reported, never silent.
enum InitWeights {
    static func load(_ name: String, context: TaskContext, into model: SegmentationModel) throws -> String {
        let location = context.stage.location(of: "init")
        guard let input = context.input(name) else { throw StageError("init weights '\(name)' are not among the inputs", at: location) }
        let archive: SafetensorsArchive
        do { archive = try Safetensors.read(contentsOf: input.path) } catch {
            throw StageError("cannot read init weights '\(name)': \(error)", at: location)
        }
        let names = Set(model.stateDict().map(\.name))
        let matching = archive.tensors.filter { names.contains($0.key) }
        guard !matching.isEmpty else {
            let example = archive.tensors.keys.sorted().first.map { " (it holds e.g. '\($0)')" } ?? ""
            throw StageError("init weights '\(name)' have no tensor of \(model.config)\(example); give weights under smp's names",
                             at: location)
        }
        do { try model.load(matching, strict: false) } catch let error as NeuralNetError {
            throw StageError("init weights '\(name)' do not fit \(model.config): \(error.message)", at: location)
        }
        let ignored = archive.tensors.count - matching.count
        return "loaded \(matching.count) of \(names.count) model tensors from '\(name)'"
            + (ignored > 0 ? "; ignored \(ignored) that are not in the model" : "")
    }
}
