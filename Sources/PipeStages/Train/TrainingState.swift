import Foundation
import NeuralNet

/// A fold's resumable state in the task's state directory: one folder per
/// completed epoch, `epoch-<n>/` with `weights.safetensors`,
/// `optimizer.safetensors` (moments, Lookahead slow weights, step counts),
/// `best.safetensors` and `progress.json`. A folder is written as
/// `epoch-<n>.partial/`, every file fsynced, then renamed into place, so a
/// kill at any instant leaves the previous epoch's folder intact.
struct TrainingState {
    let directory: URL

    static let weights = "weights.safetensors"
    static let optimizer = "optimizer.safetensors"
    static let best = "best.safetensors"
    static let progress = "progress.json"

    /// The folder of the last completed epoch and its progress, if any.
    func latest() -> (folder: URL, progress: TrainingProgress)? {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        let epochs = names.compactMap { $0.hasPrefix("epoch-") ? Int($0.dropFirst(6)) : nil }.sorted(by: >)
        for epoch in epochs {
            let folder = directory.appendingPathComponent("epoch-\(epoch)")
            if let data = try? Data(contentsOf: folder.appendingPathComponent(Self.progress)),
               let progress = try? JSONDecoder().decode(TrainingProgress.self, from: data), progress.epoch == epoch {
                return (folder, progress)
            }
        }
        return nil
    }

    /// Loads the weights and optimizer state saved in `folder`.
    func restore(_ folder: URL, model: SegmentationModel, optimizer: Optimizer) throws {
        try ModelCheckpoint.load(into: model, from: folder.appendingPathComponent(Self.weights))
        try ModelCheckpoint.loadOptimizer(optimizer, from: folder.appendingPathComponent(Self.optimizer))
    }

    /// Saves the state after an epoch. `best` is the metadata to write the
    /// model as the new best checkpoint with, or nil to keep `previous`'s.
    func save(_ progress: TrainingProgress, model: SegmentationModel, optimizer: Optimizer, best: [String: String]?,
              previous: URL?) throws {
        let final = directory.appendingPathComponent("epoch-\(progress.epoch)")
        let partial = directory.appendingPathComponent("epoch-\(progress.epoch).partial")
        let files = FileManager.default
        try? files.removeItem(at: partial)
        try files.createDirectory(at: partial, withIntermediateDirectories: true)
        try ModelCheckpoint.save(model, to: partial.appendingPathComponent(Self.weights))
        try ModelCheckpoint.saveOptimizer(optimizer, to: partial.appendingPathComponent(Self.optimizer))
        if let best {
            try ModelCheckpoint.save(model, to: partial.appendingPathComponent(Self.best), metadata: best)
        } else if let previous {
            try files.linkItem(at: previous.appendingPathComponent(Self.best), to: partial.appendingPathComponent(Self.best))
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try encoder.encode(progress).write(to: partial.appendingPathComponent(Self.progress))
        for name in [Self.weights, Self.optimizer, Self.best, Self.progress] {
            try Durable.sync(partial.appendingPathComponent(name))
        }
        try Durable.sync(partial)
        try? files.removeItem(at: final)
        try Durable.move(partial, to: final)
        for name in (try? files.contentsOfDirectory(atPath: directory.path)) ?? [] where name.hasPrefix("epoch-") && name != final.lastPathComponent {
            try? files.removeItem(at: directory.appendingPathComponent(name))
        }
    }
}

/// fsync and rename, so what is renamed into place is on disk first.
enum Durable {
    static func sync(_ url: URL) throws {
        let fd = open(url.path, O_RDONLY)
        guard fd >= 0 else { throw StageError("cannot open '\(url.path)' to sync it: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw StageError("cannot sync '\(url.path)': \(String(cString: strerror(errno)))") }
    }

    /// Renames `source` to `target` and syncs the directory holding them.
    static func move(_ source: URL, to target: URL) throws {
        guard rename(source.path, target.path) == 0 else {
            throw StageError("cannot rename '\(source.path)' to '\(target.path)': \(String(cString: strerror(errno)))")
        }
        try sync(target.deletingLastPathComponent())
    }
}
