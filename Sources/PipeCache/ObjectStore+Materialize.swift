import Foundation
import PipeCore

extension ObjectStore {
    /// Makes the tree `digest` appear as an ordinary directory at `destination`
    /// (replacing what was there), as hard links into the store, falling back
    /// to copies across file systems. Built beside the destination and renamed
    /// into place, so readers never see half a tree. Every object is checked
    /// first: corrupt ones are reported in the thrown error's
    /// `corruptObjects` (for `Cache.evictCorrupt`), and nothing is materialized. An entry whose path
    /// would leave `destination` is refused.
    public func materialize(_ digest: Digest, at destination: String, replacing: Bool = true) throws {
        guard let manifest = manifest(digest) else {
            throw CacheError("artifact \(digest.short) is missing from the cache; rerun the stage that made it", path: destination)
        }
        if let bad = manifest.entries.first(where: { !PathSafety.isSafeRelativePath($0.path) }) {
            throw CacheError("artifact \(digest.short) names the path '\(bad.path)', which would leave its folder; "
                             + "run 'pipe cache verify'", path: destination, corruptObjects: [digest])
        }
        let integrity = check(manifest.entries.map(\.digest))
        guard integrity.isIntact else {
            throw CacheError("artifact \(digest.short) has \(integrity.corrupt.count) corrupt and \(integrity.missing.count) "
                             + "missing objects; run again to recompute them", path: destination,
                             corruptObjects: integrity.corrupt)
        }
        defer { restamp(integrity.checked) }
        let parent = (destination as NSString).deletingLastPathComponent
        try FileSystem.makeDirectory(parent)
        let staging = "\(parent)/.staging-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        defer { FileSystem.removeTree(staging) }
        try FileSystem.makeDirectory(staging)
        for entry in manifest.entries {
            let target = "\(staging)/\(entry.path)"
            try FileSystem.makeDirectory((target as NSString).deletingLastPathComponent)
            let object = path(of: entry.digest)
            if entry.executable || link(object, target) != 0 {
                do { try FileManager.default.copyItem(atPath: object, toPath: target) } catch {
                    throw CacheError("cannot materialize", path: target, cause: "\(error)")
                }
                chmod(target, entry.executable ? 0o555 : 0o444)
            }
        }
        if !replacing {
            // Someone else may have built the same view meanwhile: theirs is as good as ours.
            if rename(staging, destination) != 0, !FileSystem.isDirectory(destination) {
                throw CacheError.posix("move into place", path: destination)
            }
            return
        }
        let previous = "\(parent)/.previous-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let hadPrevious = rename(destination, previous) == 0
        guard rename(staging, destination) == 0 else {
            if hadPrevious { rename(previous, destination) }
            throw CacheError.posix("move into place", path: destination)
        }
        if hadPrevious { FileSystem.removeTree(previous) }
    }

    /// A shared read-only view of tree `digest` under `<cache>/views/`, built
    /// once and reused by every task that reads it.
    public func view(of digest: Digest) throws -> String {
        let destination = viewPath(of: digest)
        if FileSystem.isDirectory(destination) { return destination }
        try materialize(digest, at: destination, replacing: false)
        return destination
    }

    /// Where the view of tree `digest` lives (whether or not it exists).
    public func viewPath(of digest: Digest) -> String { "\(root)/views/\(digest.hex)" }

    /// Throws away the view of `digest` (for instance after a task wrote into
    /// it); the next `view(of:)` rebuilds it from the objects.
    public func removeView(of digest: Digest) { FileSystem.removeTree(viewPath(of: digest)) }

    /// Whether the folder at `folder` still shows tree `manifest` as
    /// `materialize` made it: every file present, a hard link to its object
    /// (or, for a copy, of the object's size). One `lstat` per file and per
    /// object, nothing read.
    public func isIntactView(_ folder: String, of manifest: TreeManifest) -> Bool {
        for entry in manifest.entries {
            var shown = stat(), object = stat()
            guard lstat("\(folder)/\(entry.path)", &shown) == 0, (shown.st_mode & S_IFMT) == S_IFREG,
                  lstat(path(of: entry.digest), &object) == 0 else { return false }
            let linked = shown.st_dev == object.st_dev && shown.st_ino == object.st_ino
            let copied = (entry.executable || shown.st_dev != object.st_dev) && shown.st_size == object.st_size
            if !linked, !copied { return false }
        }
        return true
    }
}
