import Foundation
import PipeCore

extension ObjectStore {
    /// Makes the tree `digest` appear as an ordinary directory at `destination`
    /// (replacing what was there), as hard links into the store, falling back
    /// to copies across file systems. Built beside the destination and renamed
    /// into place, so readers never see half a tree. Every object is checked
    /// first: corrupt ones are reported in the thrown error's
    /// `corruptObjects` (for `Cache.evictCorrupt`), and nothing is materialized. An entry whose path
    /// would leave `destination` is refused. `paths` limits it to those
    /// entries (a partial copy, for reading a few files of a remote tree).
    public func materialize(_ digest: Digest, at destination: String, replacing: Bool = true,
                            paths: Set<String>? = nil) throws {
        guard let tree = manifest(digest) else {
            throw CacheError("artifact \(digest.short) is missing from the cache; rerun the stage that made it", path: destination)
        }
        let manifest = paths.map { wanted in TreeManifest(entries: tree.entries.filter { wanted.contains($0.path) }) } ?? tree
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
        var folders = FolderMaker(root: staging)
        for entry in manifest.entries { try place(entry, at: "\(staging)/\(entry.path)", folders: &folders) }
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

    /// Turns the folder at `folder`, made by `materialize` of tree `old`, into
    /// one of tree `new` by touching only the entries that differ, so a
    /// one-item change of a large fan-out relinks one file instead of every
    /// file. Each changed file is replaced by a rename (a reader sees the old
    /// file or the new one, never none), but the folder is not swapped as a
    /// whole. New objects are checked first, as by `materialize`; the folder
    /// is then checked like a no-op run checks it (`isIntactView`), and is
    /// rebuilt whole when it is not intact, when `old`'s manifest is unknown,
    /// or when most entries changed. Safe to repeat after a kill midway.
    public func update(_ folder: String, from old: Digest, to new: Digest) throws {
        guard let before = manifest(old), let after = manifest(new), FileSystem.isRealDirectory(folder) else {
            return try materialize(new, at: folder)
        }
        let previous = Dictionary(before.entries.map { ($0.path, $0) }, uniquingKeysWith: { first, _ in first })
        let kept = Set(after.entries.map(\.path))
        let added = after.entries.filter { previous[$0.path] != $0 }
        let removed = before.entries.filter { !kept.contains($0.path) }
        guard added.count + removed.count <= after.entries.count / 2,
              added.allSatisfy({ PathSafety.isSafeRelativePath($0.path) }),
              removed.allSatisfy({ PathSafety.isSafeRelativePath($0.path) }) else {
            return try materialize(new, at: folder)
        }
        let integrity = check(added.map(\.digest))
        guard integrity.isIntact else { return try materialize(new, at: folder) }  // throws naming what is corrupt
        // Unlinking or replacing a link moves its object's change time: re-stamp those too.
        let unlinked = unchangedStamps(added.compactMap { previous[$0.path]?.digest } + removed.map(\.digest))
        defer { restamp(integrity.checked.merging(unlinked) { checked, _ in checked }) }
        var folders = FolderMaker(root: folder)
        for entry in removed {
            let file = "\(folder)/\(entry.path)"
            unlink(file)
            var parent = (file as NSString).deletingLastPathComponent
            while parent != folder, rmdir(parent) == 0 { parent = (parent as NSString).deletingLastPathComponent }
        }
        for entry in added {
            let target = "\(folder)/\(entry.path)"
            let temporary = "\((target as NSString).deletingLastPathComponent)/.pipe-link-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
            if (try? place(entry, at: temporary, folders: &folders)) == nil || rename(temporary, target) != 0 {
                unlink(temporary)
                return try materialize(new, at: folder)  // a folder where a file goes, say
            }
        }
        if !isIntactView(folder, of: after) { try materialize(new, at: folder) }
    }

    /// Puts `entry` at `target`: a hard link to its object, or a read-only
    /// copy (executables, so a chmod cannot reach the object; other file systems).
    private func place(_ entry: TreeManifest.Entry, at target: String, folders: inout FolderMaker) throws {
        try folders.make((target as NSString).deletingLastPathComponent)
        let object = path(of: entry.digest)
        guard entry.executable || link(object, target) != 0 else { return }
        do { try FileManager.default.copyItem(atPath: object, toPath: target) } catch {
            throw CacheError("cannot materialize", path: target, cause: "\(error)")
        }
        chmod(target, entry.executable ? 0o555 : 0o444)
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

/// Makes the folders of a tree being built under `root` (which exists), each
/// with one `mkdir` the first time it is needed: a fan-out's tree has a folder
/// per item, and `FileManager`'s intermediate-directory walk costs several
/// system calls for each.
private struct FolderMaker {
    let root: String
    private var made: Set<String> = []

    init(root: String) { self.root = root }

    mutating func make(_ folder: String) throws {
        guard folder != root, !made.contains(folder) else { return }
        if mkdir(folder, 0o755) != 0, errno != EEXIST {
            try FileSystem.makeDirectory(folder)  // a parent is missing too: the slow path, with its error
        }
        made.insert(folder)
    }
}
