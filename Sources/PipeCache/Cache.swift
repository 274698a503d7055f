import Foundation
import PipeCore

/// A pipe cache directory (`.pipe/`): objects, run records, locks, the
/// database, and a scratch area for running tasks.
public final class Cache: Sendable {
    public let root: String
    public let objects: ObjectStore
    public let records: RunRecordStore
    public let database: CacheDatabase
    /// Records this process evicted for consuming corrupt bytes (to explain the rerun).
    let evictions = EvictionLog()
    /// The remote cache consulted on a local miss (`Cache+Remote.swift`); none by default.
    public let remote = RemoteSlot()

    /// Opens (creating when needed) the cache at `root`.
    public init(root: String) throws {
        self.root = root
        try FileSystem.makeDirectory(root)
        database = try CacheDatabase(path: "\(root)/pipe.db")
        objects = ObjectStore(root: root, ledger: database)
        records = RunRecordStore(root: root, objects: objects)
    }

    /// The cache a command should use: `explicit` (`--cache`) or `PIPE_CACHE`
    /// if set, else `.pipe/` in the nearest ancestor of `directory` that has
    /// one, else `.pipe/` in `directory` itself (like git and DVC).
    public static func locate(explicit: String?, from directory: String) -> String {
        if let explicit, !explicit.isEmpty { return absolute(explicit, from: directory) }
        if let environment = ProcessInfo.processInfo.environment["PIPE_CACHE"], !environment.isEmpty {
            return absolute(environment, from: directory)
        }
        var current = URL(fileURLWithPath: directory).standardizedFileURL
        while true {
            let candidate = current.appendingPathComponent(".pipe").path
            if FileSystem.isDirectory(candidate) { return candidate }
            let parent = current.deletingLastPathComponent()
            if parent.path == current.path { break }
            current = parent
        }
        return URL(fileURLWithPath: directory).appendingPathComponent(".pipe").standardizedFileURL.path
    }

    private static func absolute(_ path: String, from directory: String) -> String {
        path.hasPrefix("/") ? path : URL(fileURLWithPath: directory).appendingPathComponent(path).standardizedFileURL.path
    }

    /// The workspace the cache belongs to (its parent directory), where
    /// `runs/<pipeline>/<stage>/` outputs are materialized.
    public var workspace: String { (root as NSString).deletingLastPathComponent }

    /// A fresh private scratch directory for one task; the caller removes it.
    public func makeScratchDirectory(label: String) throws -> String {
        let path = "\(root)/tmp/\(label)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileSystem.makeDirectory(path)
        return path
    }

    public func removeScratch(_ path: String) { FileSystem.removeTree(path) }

    /// `state/<key hex>/`: a task's resumable state, kept across attempts with
    /// the same key, removed by `removeState` once the task's output is
    /// committed. Not created here: only tasks that save state create it.
    public func stateDirectory(for key: Digest) -> String { "\(root)/state/\(key.hex)" }

    public func removeState(for key: Digest) { FileSystem.removeTree(stateDirectory(for: key)) }
}
