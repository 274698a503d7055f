import Foundation
import PipeCore

extension ObjectStore {
    /// Stores every file under a task's output `directory` and the manifest
    /// naming them; the manifest's `digest` names the artifact. Symbolic links
    /// are never followed blindly: one whose target lies inside `allowedRoots`
    /// (the task's scratch directory, the workspace, the cache) is stored as a
    /// copy of what it points at; one pointing anywhere else, or nowhere, is an
    /// error naming it. A file pipe does not own alone (a symlink's target, a
    /// file with other hard links) is copied, never moved or chmod'ed.
    public func ingestTree(at directory: String, move: Bool, allowedRoots: [String] = []) throws -> TreeManifest {
        try ingestTree(at: directory, move: move, allowedRoots: allowedRoots, replaced: nil)
    }

    func ingestTree(at directory: String, move: Bool, allowedRoots: [String], replaced: ReplacedObjects?) throws -> TreeManifest {
        let walk = OutputWalk(allowedRoots: allowedRoots + [directory])
        try walk.collect(directory, relative: "")
        var entries: [TreeManifest.Entry] = []
        // Files reached through a link first: their targets may be outputs that are moved next.
        for file in walk.files.filter(\.shared) + walk.files.filter({ !$0.shared }) {
            entries.append(try ingestFile(at: file.source, relativePath: file.relative, move: move && !file.shared,
                                          replaced: replaced))
        }
        let manifest = TreeManifest(entries: entries)
        try put(manifest.json.canonicalData)
        return manifest
    }

    /// Moves (or copies) the regular file at `source` into the store and
    /// returns its entry. A file with other hard links is always copied, so
    /// the store never takes (and chmods) an inode someone else also names.
    /// After a move the source path is gone.
    public func ingestFile(at source: String, relativePath: String, move: Bool) throws -> TreeManifest.Entry {
        try ingestFile(at: source, relativePath: relativePath, move: move, replaced: nil)
    }

    func ingestFile(at source: String, relativePath: String, move: Bool, replaced: ReplacedObjects?) throws
        -> TreeManifest.Entry {
        var info = stat()
        guard lstat(source, &info) == 0 else { throw CacheError.posix("read", path: source) }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw CacheError("output '\(relativePath)' is not a regular file; write a file or a directory", path: source)
        }
        let digest: Digest
        do { digest = try StreamingHasher.digest(ofFileAt: source) } catch { throw CacheError("cannot read", path: source, cause: "\(error)") }
        let target = path(of: digest)
        let moving = move && info.st_nlink == 1
        var stored = false
        var existing = stat()
        if lstat(target, &existing) == 0 {
            // A source that is another name of the object itself (a stage linked an
            // input into its output) was just hashed: the object is intact.
            let sameInode = existing.st_dev == info.st_dev && existing.st_ino == info.st_ino
            let integrity = sameInode ? IntegrityReport() : check([digest])
            if integrity.isIntact {
                stored = true
                if move { unlink(source) }
                if sameInode { stamp([digest]) }  // only its link count changed
            } else if !integrity.corrupt.isEmpty {
                evict(digest)  // corrupt: store these good bytes in its place
                replaced?.digests.insert(digest)
            }
        }
        if !stored {
            try FileSystem.makeDirectory((target as NSString).deletingLastPathComponent)
            if moving {
                try FileSystem.syncFile(source)
                chmod(source, 0o444)
                guard rename(source, target) == 0 else { throw CacheError.posix("move into the cache", path: source) }
            } else {
                try copyIntoStore(source, target: target)
            }
            FileSystem.syncDirectory((target as NSString).deletingLastPathComponent)
            stamp([digest])
        }
        return TreeManifest.Entry(path: relativePath, executable: info.st_mode & 0o111 != 0, digest: digest,
                                  size: Int64(info.st_size))
    }

    private func copyIntoStore(_ source: String, target: String) throws {
        try FileSystem.makeDirectory(temporaryDirectory)
        let temp = "\(temporaryDirectory)/ingest-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        do { try FileManager.default.copyItem(atPath: source, toPath: temp) } catch {
            unlink(temp)
            throw CacheError("cannot copy into the cache", path: source, cause: "\(error)")
        }
        defer { unlink(temp) }
        try FileSystem.syncFile(temp)
        chmod(temp, 0o444)
        guard rename(temp, target) == 0 else { throw CacheError.posix("move into the cache", path: target) }
    }
}

/// Objects found corrupt and replaced while ingesting.
final class ReplacedObjects {
    var digests = Set<Digest>()
}

/// The files of an output directory, walked without following symbolic
/// links except into `allowedRoots`.
private final class OutputWalk {
    struct File {
        var relative: String
        var source: String
        /// Not owned by the output alone (reached through a symlink): copy it.
        var shared: Bool
    }

    let allowedRoots: [String]
    var files: [File] = []
    /// Device and inode of the directories being walked, to refuse a link cycle.
    private var ancestors: [[UInt64]] = []

    init(allowedRoots: [String]) {
        self.allowedRoots = allowedRoots.map { Self.realPath($0) ?? $0 }
    }

    func collect(_ directory: String, relative: String, shared: Bool = false) throws {
        var info = stat()
        guard stat(directory, &info) == 0, !ancestors.contains([UInt64(info.st_dev), UInt64(info.st_ino)]) else {
            throw CacheError("output '\(relative)' links back into itself; store real files", path: directory)
        }
        ancestors.append([UInt64(info.st_dev), UInt64(info.st_ino)])
        defer { ancestors.removeLast() }
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: directory) } catch {
            throw CacheError("cannot list", path: directory, cause: "\(error)")
        }
        for name in names.sorted() {
            let path = "\(directory)/\(name)", inner = relative.isEmpty ? name : "\(relative)/\(name)"
            guard lstat(path, &info) == 0 else { throw CacheError.posix("read", path: path) }
            switch info.st_mode & S_IFMT {
            case S_IFREG: files.append(File(relative: inner, source: path, shared: shared))
            case S_IFDIR: try collect(path, relative: inner, shared: shared)
            case S_IFLNK: try follow(path, relative: inner)
            default: continue  // sockets, fifos, devices hold no content to store
            }
        }
    }

    private func follow(_ link: String, relative: String) throws {
        let written = (try? FileManager.default.destinationOfSymbolicLink(atPath: link)) ?? "?"
        guard let target = Self.realPath(link) else {
            throw CacheError("output '\(relative)' is a symbolic link to '\(written)', which does not exist; "
                             + "write the file itself", path: link)
        }
        guard allowedRoots.contains(where: { target == $0 || target.hasPrefix($0 + "/") }) else {
            throw CacheError("output '\(relative)' is a symbolic link to '\(target)', outside the task's work directory "
                             + "and the workspace; copy the file into the work directory instead of linking it", path: link)
        }
        var info = stat()
        guard stat(target, &info) == 0 else { throw CacheError.posix("read", path: target) }
        switch info.st_mode & S_IFMT {
        case S_IFREG: files.append(File(relative: relative, source: target, shared: true))
        case S_IFDIR: try collect(target, relative: relative, shared: true)
        default: return
        }
    }

    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
