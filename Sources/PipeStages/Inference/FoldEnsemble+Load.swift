import Foundation
import NeuralNet
import PipeCore

extension FoldEnsemble {
    /// Loads the models at `url`: a `.safetensors` checkpoint written by pipe
    /// (its metadata carries the architecture and the `model.json` fields), a
    /// fold directory (`best.safetensors` + `model.json`), or a train output
    /// holding `<k>/` fold directories (every fold, or those in `folds`).
    /// Folds must share size and reduce; a fold normalised differently is
    /// adapted exactly to the first fold's mean and std. Throws a `StageError`
    /// naming the file for anything missing, corrupt or inconsistent.
    public static func load(_ url: URL, folds: [Int]? = nil) throws -> FoldEnsemble {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw StageError("model '\(url.relativePath)' does not exist; give a .safetensors checkpoint, a fold directory or a train output")
        }
        let checkpoints: [URL]
        if !isDirectory.boolValue {
            checkpoints = [url]
        } else if FileManager.default.fileExists(atPath: url.appendingPathComponent("best.safetensors").path) {
            checkpoints = [url.appendingPathComponent("best.safetensors")]
        } else {
            checkpoints = try foldCheckpoints(in: url, folds: folds)
        }
        let loaded = try checkpoints.map(loadFold)
        let first = loaded[0].conventions
        if let odd = loaded.first(where: { $0.conventions.size != first.size || $0.conventions.reduce != first.reduce }) {
            throw StageError("\(odd.path): size \(odd.conventions.size) / reduce \(odd.conventions.reduce) differ from \(loaded[0].path) (\(first.size) / \(first.reduce)); folds of one ensemble must share them")
        }
        let models: [any SegmentationNetwork] = loaded.map { fold in
            fold.conventions.mean == first.mean && fold.conventions.std == first.std ? fold.model as any SegmentationNetwork
                : RenormalisedNetwork(fold.model, from: (first.mean, first.std), to: (fold.conventions.mean, fold.conventions.std))
        }
        let ensemble = FoldEnsemble(models: models, size: first.size, reduce: first.reduce, mean: first.mean, std: first.std)
        ensemble.sources = loaded.map(\.path)
        return ensemble
    }

    /// `<k>/best.safetensors` under a train output, by fold number.
    static func foldCheckpoints(in directory: URL, folds: [Int]?) throws -> [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        let found = names.compactMap { name -> (Int, URL)? in
            let checkpoint = directory.appendingPathComponent(name).appendingPathComponent("best.safetensors")
            guard let fold = Int(name), FileManager.default.fileExists(atPath: checkpoint.path) else { return nil }
            return (fold, checkpoint)
        }.sorted { $0.0 < $1.0 }
        guard !found.isEmpty else {
            throw StageError("'\(directory.relativePath)' holds no best.safetensors and no <fold>/best.safetensors; give a checkpoint, a fold directory or a train stage's output")
        }
        guard let folds else { return found.map(\.1) }
        let available = found.map(\.0)
        if let missing = folds.first(where: { !available.contains($0) }) {
            throw StageError("fold \(missing) is not in '\(directory.relativePath)'; it has folds \(available.map(String.init).joined(separator: ", "))")
        }
        return found.filter { folds.contains($0.0) }.map(\.1)
    }

    /// One checkpoint and its conventions (from `model.json` beside it, else its metadata).
    static func loadFold(_ url: URL) throws -> (model: SegmentationModel, conventions: InputConventions, path: String) {
        let archive: SafetensorsArchive
        do { archive = try Safetensors.read(contentsOf: url) } catch let error as CheckpointError {
            throw StageError("\(error.path): \(error.message)")
        }
        let conventions = try conventions(of: url, metadata: archive.metadata)
        do {
            let model = try SegmentationModel(try ModelCheckpoint.configuration(archive.metadata, path: url.path))
            try model.load(archive.tensors)
            model.training = false
            return (model, conventions, url.path)
        } catch let error as CheckpointError {
            throw StageError("\(error.path): \(error.message)")
        } catch let error as NeuralNetError {
            throw StageError("\(url.path): does not fit the model its metadata describes: \(error.message)")
        }
    }

    /// The `model.json` beside a checkpoint, else the checkpoint's metadata.
    static func conventions(of checkpoint: URL, metadata: [String: String]) throws -> InputConventions {
        let json = checkpoint.deletingLastPathComponent().appendingPathComponent("model.json")
        guard FileManager.default.fileExists(atPath: json.path) else {
            return try InputConventions(metadata: metadata, source: checkpoint.path)
        }
        let data: Data
        do { data = try Data(contentsOf: json) } catch {
            throw StageError("\(json.path): cannot read (\(error.localizedDescription))")
        }
        return try InputConventions(json: data, source: json.path)
    }
}

/// A model trained with other normalisation constants, fed inputs normalised
/// with the ensemble's: `x' = (x * std_e + mean_e - mean_m) / std_m`, exactly.
struct RenormalisedNetwork: SegmentationNetwork {
    let model: any SegmentationNetwork
    let scale: [Float]
    let shift: [Float]

    init(_ model: any SegmentationNetwork, from ensemble: ([Float], [Float]), to own: ([Float], [Float])) {
        self.model = model
        scale = (0..<3).map { ensemble.1[$0] / own.1[$0] }
        shift = (0..<3).map { (ensemble.0[$0] - own.0[$0]) / own.1[$0] }
    }

    func logits(_ images: Tensor) throws -> Tensor {
        var x = images
        let plane = images.shape[2] * images.shape[3]
        x.withUnsafeMutableBufferPointer { values in
            for n in 0..<images.shape[0] {
                for c in 0..<3 {
                    let base = (n * 3 + c) * plane
                    for p in base..<(base + plane) { values[p] = values[p] * scale[c] + shift[c] }
                }
            }
        }
        return try model.logits(x)
    }
}
