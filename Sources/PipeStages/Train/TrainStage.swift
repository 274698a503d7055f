import Foundation
import NeuralNet
import PipeCore
import PipeSpec

/// `kind: train`: one cached, resumable task per fold (`train[0]` ..
/// `train[k-1]`), each training a segmentation model on the other folds'
/// images (plus every external set) and validating on its own. Output per
/// fold: `best.safetensors`, `last.safetensors`, `model.json`,
/// `metrics.csv`, a TensorBoard event file and `summary.json`
/// (docs/ml-stages.md). A fold killed mid-training resumes from its last
/// completed epoch and ends with the same weights, bit for bit.
public struct TrainStage: StageImplementation {
    public init() {}

    public var schema: StageKindSchema { TrainSchema.schema }
    /// 2: the best epoch is chosen by `select`, not by Dice at 0.5; 3: the batch-norm
    /// recompute draws its tiles at random.
    public var version: Int { 3 }

    /// One task per fold, restricted by `only_folds`; known without the inputs.
    public func tasks(of stage: StageSpec, inputs: [InputArtifact]?) throws -> [TaskItem]? {
        try TrainSettings(stage).taskFolds.map { TaskItem(index: String($0), value: .int($0)) }
    }

    /// Everything but which folds run, the description and the input names
    /// (inputs enter by content): `only_folds: [0]` -> `[0, 1]` keeps fold 0 cached.
    public var unkeyedFields: Set<String> { ["only_folds", "from", "init"] }

    /// The training data and the `init` weights, by role rather than by the name they were given.
    public func keyInputs(of stage: StageSpec, item: TaskItem, inputs: [InputArtifact]) throws -> [String: Digest] {
        var digests: [String: Digest] = [:]
        for role in ["from", "init"] {
            if let name = stage.config[role]?.stringValue, let input = inputs.first(where: { $0.name == name }) {
                digests[role] = input.digest
            }
        }
        return digests
    }

    public func run(_ context: TaskContext) async throws -> TaskOutcome {
        let stage = context.stage
        let settings = try TrainSettings(stage)
        guard let fold = context.item.value.intValue else {
            throw StageError("train task '\(context.taskName)' has no fold number", at: stage.location)
        }
        let from = stage.config["from"]?.stringValue ?? ""
        guard let input = context.input(from) else {
            throw StageError("train needs a tile or augment stage in 'from'", at: stage.location(of: "from"))
        }
        let source = try TrainingSource(input, location: stage.location(of: "from"))
        let split = FoldSplit(source, folds: settings.folds, fold: fold, seed: settings.seed)
        guard !split.validation.isEmpty else {
            let count = source.heldOutCandidates.count
            throw StageError("fold \(fold) holds out no image: \(count) image\(count == 1 ? "" : "s") cannot fill \(settings.folds) folds; lower 'folds' to at most \(count)",
                             at: stage.location(of: "folds"))
        }
        guard split.training.contains(where: { $0.reader.count > 0 }) else {
            throw StageError("fold \(fold) has no training tiles; add images or loosen the tile filter", at: stage.location(of: "from"))
        }
        let run = FoldRun(context: context, settings: settings, split: split, source: source)
        return try Compute.$current.withValue(Compute(threads: settings.threads)) { try run.train() }
    }
}
