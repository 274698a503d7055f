import Foundation

/// Model and optimizer checkpoints as safetensors files.
///
/// A model file holds exactly the model's state dict under smp's names
/// (float32; batch norm's `num_batches_tracked` as int64, as PyTorch keeps
/// it), so `model.load_state_dict(safetensors.torch.load_file(f), strict=True)`
/// accepts it, plus `__metadata__` describing the architecture
/// (`pipe.arch`, `pipe.encoder`, `pipe.encoder_depth`, `pipe.decoder_channels`,
/// `pipe.classes`) so a model can be rebuilt from the file alone.
///
/// The optimizer state goes in a separate file (its names are not model
/// names, and a strict PyTorch load would refuse them): tensors
/// `<parameter>.<slot>` and `step`, exactly as `Optimizer.exportState()` gives them.
public enum ModelCheckpoint {
    /// Writes `model`'s state dict and architecture (plus `metadata`) to `url`, atomically.
    public static func save(_ model: SegmentationModel, to url: URL, metadata: [String: String] = [:]) throws {
        let entries = model.stateDict().map { item in
            SafetensorsEntry(item.name, item.tensor, dtype: item.name.hasSuffix("num_batches_tracked") ? .i64 : .f32)
        }
        try Safetensors.write(entries, metadata: metadata.merging(describe(model.config)) { _, arch in arch }, to: url)
    }

    /// Loads the state dict at `url` into `model`, strictly (every name, no extras, same shapes).
    public static func load(into model: SegmentationModel, from url: URL) throws {
        let archive = try Safetensors.read(contentsOf: url)
        do {
            try model.load(archive.tensors)
        } catch let e as NeuralNetError {
            throw CheckpointError(.mismatch, path: url.path, "does not fit \(model.config): \(e.message)")
        }
    }

    /// Builds the model a checkpoint written by `save` describes and loads its weights.
    public static func open(_ url: URL, seed: UInt64 = 0) throws -> SegmentationModel {
        let archive = try Safetensors.read(contentsOf: url)
        let config = try configuration(archive.metadata, path: url.path)
        let model = try SegmentationModel(config, seed: seed)
        do {
            try model.load(archive.tensors)
        } catch let e as NeuralNetError {
            throw CheckpointError(.mismatch, path: url.path, "does not fit \(config): \(e.message)")
        }
        return model
    }

    /// Writes an optimizer's exported state (and `metadata`, e.g. epoch) to `url`, atomically.
    public static func saveOptimizer(_ optimizer: Optimizer, to url: URL, metadata: [String: String] = [:]) throws {
        let state = optimizer.exportState()
        let entries = state.keys.sorted().map { SafetensorsEntry($0, state[$0]!) }
        try Safetensors.write(entries, metadata: metadata, to: url)
    }

    /// Restores an optimizer's state from `url`; returns the file's metadata.
    @discardableResult
    public static func loadOptimizer(_ optimizer: Optimizer, from url: URL) throws -> [String: String] {
        let archive = try Safetensors.read(contentsOf: url)
        do {
            try optimizer.importState(archive.tensors)
        } catch let e as NeuralNetError {
            throw CheckpointError(.mismatch, path: url.path, e.message)
        }
        return archive.metadata
    }

    /// The `__metadata__` entries that describe `config`.
    public static func describe(_ config: SegmentationModelConfig) -> [String: String] {
        ["format": "pt", "pipe.arch": config.arch.rawValue, "pipe.encoder": config.encoder.description,
         "pipe.encoder_depth": String(config.encoderDepth),
         "pipe.decoder_channels": config.decoderChannels.map(String.init).joined(separator: ","),
         "pipe.classes": String(config.classes)]
    }

    /// The configuration `describe` wrote, or an error naming what is missing.
    public static func configuration(_ metadata: [String: String], path: String) throws -> SegmentationModelConfig {
        func fail(_ what: String) -> CheckpointError {
            CheckpointError(.mismatch, path: path, "metadata \(what); only checkpoints written by pipe describe their model, give --arch and --encoder instead")
        }
        guard let archName = metadata["pipe.arch"], let arch = SegmentationArch(rawValue: archName) else { throw fail("has no valid 'pipe.arch'") }
        guard let encName = metadata["pipe.encoder"], let encoder = EncoderName(encName) else { throw fail("has no valid 'pipe.encoder'") }
        guard let depth = metadata["pipe.encoder_depth"].flatMap({ Int($0) }) else { throw fail("has no valid 'pipe.encoder_depth'") }
        let channels = metadata["pipe.decoder_channels"].map { $0.split(separator: ",").compactMap { Int($0) } }
        let classes = metadata["pipe.classes"].flatMap { Int($0) } ?? 1
        return SegmentationModelConfig(arch: arch, encoder: encoder, encoderDepth: depth, decoderChannels: channels, classes: classes)
    }
}
