import Foundation
import NeuralNet
import PipeCore

/// The files of a `train[k]` output (docs/ml-stages.md): `model.json`,
/// `metrics.csv`, the TensorBoard event file and `summary.json`. The
/// checkpoints carry `model.json`'s fields as safetensors metadata: each
/// key with its value as text (strings as they are, numbers and lists as JSON).
/// No file holds a clock reading: training is deterministic, so the same key gives
/// the same bytes on any machine and executor (wall times are the task's metrics).
struct TrainOutputs {
    let directory: URL

    /// `model.json` without `best_epoch` (known only at the end).
    static func description(_ settings: TrainSettings, split: FoldSplit, source: TrainingSource) -> [String: JSONValue] {
        let (mean, std) = split.normalisation(source)
        let model = settings.model
        return [
            "arch": .string(model.arch.rawValue), "encoder": .string(model.encoder.description),
            "encoder_depth": .int(model.encoderDepth), "decoder_channels": .array(model.decoderChannels.map { .int($0) }),
            "size": .int(source.size), "reduce": .int(source.reduce),
            "mean": .array(mean.map { .double(Double($0)) }), "std": .array(std.map { .double(Double($0)) }),
            "fold": .int(split.fold), "folds": .int(settings.folds), "seed": .int(Int(settings.seed)),
            "train_images": .array(split.trainImages.map { .string($0) }),
            "validation_images": .array(split.validationImages.map { .string($0) }),
        ]
    }

    /// Safetensors metadata for a checkpoint of the model described by `fields`.
    static func metadata(_ fields: [String: JSONValue], bestEpoch: Int) -> [String: String] {
        var fields = fields
        fields["best_epoch"] = .int(bestEpoch)
        return fields.mapValues { value in value.stringValue ?? String(decoding: value.canonicalData, as: UTF8.self) }
    }

    func writeModel(_ fields: [String: JSONValue], bestEpoch: Int) throws {
        var fields = fields
        fields["best_epoch"] = .int(bestEpoch)
        try write(JSONValue.object(fields).prettyString, "model.json")
    }

    /// `val_dice` is at `val_threshold`, the epoch's best of the sweep; `val_dice_05` at probability 0.5.
    static let metricsHeader = "epoch,lr,train_loss,val_loss,val_dice,val_threshold,val_dice_05"

    func writeMetrics(_ rows: [EpochRow]) throws {
        let lines = rows.map { row in
            "\(row.epoch),\(row.lr),\(row.trainLoss),\(row.valLoss),\(row.valDice),\(row.valThreshold),\(row.valDiceHalf)"
        }
        try write(([Self.metricsHeader] + lines).joined(separator: "\n") + "\n", "metrics.csv")
    }

    func writeEvents(_ progress: TrainingProgress) throws {
        let steps = progress.rows.map { row in
            (step: row.epoch, scalars: [("train/loss", Float(row.trainLoss)), ("val/loss", Float(row.valLoss)),
                                                                ("val/dice", Float(row.valDice)), ("lr", Float(row.lr))])
        }
        try TensorBoardEvents.file(steps: steps).write(to: directory.appendingPathComponent(TensorBoardEvents.fileName))
    }

    /// `summary.json`; returns the task's metrics.
    func writeSummary(_ progress: TrainingProgress, split: FoldSplit, trainTiles: Int, validationTiles: Int,
                      initReport: String?, selection: EpochSelection) throws -> JSONValue {
        let best = progress.best
        var summary: [String: JSONValue] = [
            "fold": .int(split.fold), "epochs": .int(progress.epoch), "best_epoch": .int(progress.bestEpoch),
            "selection": .string(selection.rawValue),
            "best_val_dice": .double(best?.valDice ?? 0), "best_val_loss": .double(best?.valLoss ?? 0),
            "best_val_threshold": .double(best?.valThreshold ?? 0.5), "best_val_dice_05": .double(best?.valDiceHalf ?? 0),
            "last_val_dice": .double(progress.rows.last?.valDice ?? 0),
            "train_tiles": .int(trainTiles), "validation_tiles": .int(validationTiles),
        ]
        if let initReport { summary["init"] = .string(initReport) }
        try write(JSONValue.object(summary).prettyString, "summary.json")
        return .object(["val_dice": .double(best?.valDice ?? 0), "val_loss": .double(best?.valLoss ?? 0),
                        "val_threshold": .double(best?.valThreshold ?? 0.5), "best_epoch": .int(progress.bestEpoch),
                        "seconds": .double(progress.seconds), "images_per_second": .double(progress.imagesPerSecond)])
    }

    private func write(_ text: String, _ name: String) throws {
        try Data(text.utf8).write(to: directory.appendingPathComponent(name))
    }
}
