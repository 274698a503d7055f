import Foundation
import PipeCache
import PipeCore

/// The per-version output folders `runs/<pipeline>/<stage>/` a user opens
/// directly. Each is rebuilt only when its stage's output digest changed
/// (remembered in `runs/<pipeline>/.pipe-outputs.json`), so a no-op run
/// touches nothing.
struct OutputLinks {
    let root: String
    let objects: ObjectStore

    var stateFile: String { "\(root)/.pipe-outputs.json" }

    /// Materializes each stage's output; returns stage -> folder.
    func update(_ digests: [String: Digest]) -> [String: String] {
        var state = (try? JSONValue(parsing: Data(contentsOf: URL(fileURLWithPath: stateFile))))?.objectValue ?? [:]
        var folders: [String: String] = [:]
        var changed = false
        for (stage, digest) in digests {
            let folder = "\(root)/\(stage)"
            if state[stage]?.stringValue != digest.hex || !FileManager.default.fileExists(atPath: folder) {
                guard (try? objects.materialize(digest, at: folder)) != nil else { continue }
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
}
