import Foundation
import PipeCache
import PipeCore

/// The per-version output folders `runs/<pipeline>/<stage>/` a user opens
/// directly. Each is rebuilt when its stage's output digest changed
/// (remembered in `runs/<pipeline>/.pipe-outputs.json`) or when it no longer
/// shows the cache's objects (a file edited in place was evicted, replaced,
/// or removed): checking that costs one `lstat` per file, so a no-op run
/// reads and writes nothing.
struct OutputLinks {
    let root: String
    let cache: Cache

    var stateFile: String { "\(root)/.pipe-outputs.json" }

    /// Materializes each stage's output; returns stage -> folder. A stage
    /// whose name cannot be a single folder is skipped (the engine refuses
    /// such names before running).
    func update(_ digests: [String: Digest]) -> [String: String] {
        var state = (try? JSONValue(parsing: Data(contentsOf: URL(fileURLWithPath: stateFile))))?.objectValue ?? [:]
        var folders: [String: String] = [:]
        var changed = false
        for (stage, digest) in digests where PathSafety.isSafeComponent(stage) {
            let folder = "\(root)/\(stage)"
            if state[stage]?.stringValue != digest.hex || !isIntact(folder, digest) {
                do {
                    try cache.objects.materialize(digest, at: folder)
                } catch {
                    if let error = error as? CacheError { cache.evictCorrupt(Set(error.corruptObjects)) }
                    continue
                }
                state[stage] = .string(digest.hex)
                changed = true
            }
            folders[stage] = folder
        }
        if changed {
            try? Data(JSONValue.object(state).prettyString.utf8).write(to: URL(fileURLWithPath: stateFile), options: .atomic)
        }
        return folders
    }

    private func isIntact(_ folder: String, _ digest: Digest) -> Bool {
        guard let manifest = cache.objects.manifest(digest) else { return false }
        return cache.objects.isIntactView(folder, of: manifest)
    }
}
