import Foundation
import PipeCore

extension ObjectStore {
    /// Makes the tree `digest` appear as an ordinary directory at `destination`
    /// (replacing what was there), as hard links into the store, falling back
    /// to copies across file systems. Built beside the destination and renamed
    /// into place, so readers never see half a tree.
    public func materialize(_ digest: Digest, at destination: String, replacing: Bool = true) throws {
        guard let manifest = manifest(digest) else {
            throw CacheError("artifact \(digest.short) is missing from the cache; rerun the stage that made it", path: destination)
        }
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

    /// Removes the object `digest` because its bytes may no longer match its
    /// name (something wrote through a hard link to it). Records naming it
    /// become misses, so the tasks that produced it run again.
    public func evict(_ digest: Digest) { unlink(path(of: digest)) }
}
