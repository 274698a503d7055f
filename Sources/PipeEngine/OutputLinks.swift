import Foundation
import PipeCache
import PipeCore

/// The per-version output folders `runs/<pipeline>/<stage>/` a user opens
/// directly. Each is updated when its stage's output digest changed
/// (remembered in `runs/<pipeline>/.pipe-outputs.json`): in place, touching
/// only the files that differ (`ObjectStore.update`), so one changed item of
/// a large fan-out costs one link; and rebuilt when it no longer shows the
/// cache's objects (a file edited in place was evicted, replaced, or
/// removed): checking that costs one `lstat` per file, so a no-op run reads
/// and writes nothing.
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
            let shown = state[stage]?.stringValue.flatMap(Digest.init(hex:))
            if shown != digest || !isIntact(folder, digest) {
                do {
                    if let shown, shown != digest {
                        // Forget the old digest first: a kill midway leaves a folder the next run rebuilds whole.
                        state.removeValue(forKey: stage)
                        save(state)
                        try cache.objects.update(folder, from: shown, to: digest)
                    } else {
                        try cache.objects.materialize(digest, at: folder)
                    }
                } catch {
                    if let error = error as? CacheError { cache.evictCorrupt(Set(error.corruptObjects)) }
                    // Bytes still on the remote cache (or gone): no folder rather than a stale one.
                    try? FileManager.default.removeItem(atPath: folder)
                    if state.removeValue(forKey: stage) != nil { changed = true }
                    continue
                }
                state[stage] = .string(digest.hex)
                changed = true
            }
            folders[stage] = folder
        }
        if changed { save(state) }
        return folders
    }

    private func save(_ state: [String: JSONValue]) {
        try? Data(JSONValue.object(state).prettyString.utf8).write(to: URL(fileURLWithPath: stateFile), options: .atomic)
    }

    private func isIntact(_ folder: String, _ digest: Digest) -> Bool {
        guard let manifest = cache.objects.manifest(digest) else { return false }
        return cache.objects.isIntactView(folder, of: manifest)
    }
}
