import Foundation
import PipeCache
import PipeCore
import PipeSpec
import PipeStages

/// Lazy downloads from a remote cache. A remote hit brings only its record
/// and its output's manifest, so the view of its output (`<cache>/views/`)
/// is not built; the bytes are fetched here, when a task that must run reads
/// them, or when a fan-out is listed from a file inside an input.
extension Engine {
    /// The view of tree `digest`, built now when every object is local. A
    /// tree whose objects are still on the remote keeps its view unbuilt
    /// until a task that runs reads it (`bringInputsLocal`).
    func viewIfLocal(_ digest: Digest) throws -> String {
        let path = cache.objects.viewPath(of: digest)
        guard cache.remote.source != nil, !FileManager.default.fileExists(atPath: path) else {
            return try cache.objects.view(of: digest)
        }
        let integrity = cache.objects.checkTree(digest)
        if integrity.corrupt.isEmpty, !integrity.missing.isEmpty { return path }
        return try cache.objects.view(of: digest)
    }

    /// Whether `input` is a cached artifact whose view is not built: its bytes are on the remote.
    func isRemoteOnly(_ input: InputArtifact) -> Bool {
        let view = cache.objects.viewPath(of: input.digest)
        return input.path.path == view && !FileManager.default.fileExists(atPath: view)
    }

    /// Downloads the inputs of a task about to run whose bytes are still on
    /// the remote, and builds their views. When the remote no longer has
    /// them, the results naming them are dropped (`Cache.bringLocal`) and
    /// the task fails; the command runs again to recompute them.
    func bringInputsLocal(_ inputs: [InputArtifact], stage: StageSpec) throws {
        for input in inputs where isRemoteOnly(input) {
            do {
                try cache.bringLocal(input.digest)
                _ = try cache.objects.view(of: input.digest)
            } catch {
                throw StageError("input \(input.name) of stage \(stage.name): \(error)", at: stage.location)
            }
        }
    }

    /// The tasks of `stage`. An input whose bytes are on the remote is shown
    /// to the kind as a folder holding only the files it reads to list
    /// (`filesReadToList`), fetched for it; should the kind read more, every
    /// input is downloaded and it is asked again, except by `pipe plan`, which
    /// downloads nothing beyond the declared files and reports the error.
    func listTasks(_ stage: StageSpec, implementation: any StageImplementation,
                   inputs: [InputArtifact]?) throws -> [TaskItem]? {
        guard let inputs, inputs.contains(where: isRemoteOnly) else {
            return try implementation.tasks(of: stage, inputs: inputs)
        }
        let partial = try inputs.map { try listingCopy(of: $0, reading: implementation.filesReadToList) }
        do {
            return try implementation.tasks(of: stage, inputs: partial)
        } catch where !options.planOnly {
            try bringInputsLocal(inputs, stage: stage)
            return try implementation.tasks(of: stage, inputs: inputs)
        }
    }

    /// `input` as a listing reads it: unchanged when its bytes are local,
    /// else pointing at `<view>.listing`, a folder of just its files among `reads`.
    private func listingCopy(of input: InputArtifact, reading reads: Set<String>) throws -> InputArtifact {
        let wanted = Set(input.manifest?.entries.map(\.path).filter(reads.contains) ?? [])
        guard isRemoteOnly(input), !wanted.isEmpty else { return input }
        let folder = cache.objects.viewPath(of: input.digest) + ".listing"
        if !FileManager.default.fileExists(atPath: folder) {
            try cache.bringLocal(input.digest, paths: wanted)
            try cache.objects.materialize(input.digest, at: folder, replacing: false, paths: wanted)
        }
        var copy = input
        copy.path = URL(fileURLWithPath: folder)
        return copy
    }
}
