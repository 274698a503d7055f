import Foundation
import PipeCore

/// Digests of files and directories the user owns (path data sources and
/// command deps), using the database's hash state so an unchanged file is
/// never read twice: only `stat` is paid on a no-op run.
public struct PathHasher: Sendable {
    let database: CacheDatabase

    public init(database: CacheDatabase) { self.database = database }

    /// The digest of a file (its bytes) or of a directory (its tree manifest,
    /// returned too so per-file digests are at hand).
    public func digest(of path: String) throws -> (digest: Digest, manifest: TreeManifest?) {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw CacheError("input not found; check the path in the spec", path: path)
        }
        if (info.st_mode & S_IFMT) == S_IFDIR {
            let manifest = try manifest(ofDirectory: path)
            return (manifest.digest, manifest)
        }
        return (try digests(of: [path])[path]!, nil)
    }

    /// The manifest of a directory's regular files, hashed through the hash state.
    public func manifest(ofDirectory directory: String) throws -> TreeManifest {
        let relatives = try ObjectStore.regularFiles(under: directory)
        let paths = relatives.map { "\(directory)/\($0)" }
        let digests = try digests(of: paths)
        var entries: [TreeManifest.Entry] = []
        for (relative, path) in zip(relatives, paths) {
            var info = stat()
            stat(path, &info)
            entries.append(TreeManifest.Entry(path: relative, executable: info.st_mode & 0o111 != 0,
                                              digest: digests[path]!, size: Int64(info.st_size)))
        }
        return TreeManifest(entries: entries)
    }

    /// Digests of regular files, read only where the stamp changed, in parallel.
    func digests(of paths: [String]) throws -> [String: Digest] {
        var stamps: [String: FileStamp] = [:]
        for path in paths {
            guard let stamp = FileStamp(path: path) else { throw CacheError("input not found", path: path) }
            stamps[path] = stamp
        }
        var known = try database.knownDigests(stamps)
        let stale = paths.filter { known[$0] == nil }
        guard !stale.isEmpty else { return known }
        let fresh = try Self.hashConcurrently(stale)
        try database.remember(stale.map { ($0, stamps[$0]!, fresh[$0]!) })
        known.merge(fresh) { _, new in new }
        return known
    }

    static func hashConcurrently(_ paths: [String]) throws -> [String: Digest] {
        let lock = NSLock()
        nonisolated(unsafe) var results: [String: Digest] = [:]
        nonisolated(unsafe) var failure: Error?
        DispatchQueue.concurrentPerform(iterations: paths.count) { index in
            do {
                let digest = try StreamingHasher.digest(ofFileAt: paths[index])
                lock.withLock { results[paths[index]] = digest }
            } catch {
                lock.withLock { failure = CacheError("cannot read input", path: paths[index], cause: "\(error)") }
            }
        }
        if let failure { throw failure }
        return results
    }
}
