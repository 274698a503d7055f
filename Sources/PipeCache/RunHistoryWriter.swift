import Foundation
import GRDB
import PipeCore

/// What the history keeps of a run before its tasks: the pipeline and the
/// resolved spec it ran.
public struct RunHistoryStart: Sendable {
    public var pipeline: String
    public var specFile: String
    public var specDigest: Digest
    public var parent: String?
    public var description: String?
    public var resolved: JSONValue
    public var host: String
    public var version: String

    public init(pipeline: String, specFile: String, specDigest: Digest, parent: String?, description: String?,
                resolved: JSONValue, host: String, version: String) {
        self.pipeline = pipeline
        self.specFile = specFile
        self.specDigest = specDigest
        self.parent = parent
        self.description = description
        self.resolved = resolved
        self.host = host
        self.version = version
    }
}

/// Writes one run's history in batches instead of one transaction per task.
///
/// An entry for a task that executed (`durable`: ran or failed) is written at
/// once, with everything batched before it, in one transaction: a run killed
/// afterwards still lists every task it finished, so `plan` explains against
/// it and `gc` keeps its results. Entries for reused (cached) tasks wait in
/// memory, up to `batchSize`, because losing them loses nothing: the results
/// are on disk and named by earlier runs. The run's own row is inserted with
/// the first batch, so a no-op run writes exactly once: the run row and its
/// task rows, in one transaction with one sync, at `finish`.
public final class RunHistoryWriter: @unchecked Sendable {
    private let database: CacheDatabase
    private let start: RunHistoryStart
    private let started = Date()
    private let batchSize: Int
    private let lock = NSLock()
    private var runID: Int64?
    private var pending: [TaskHistoryEntry] = []
    private var failure: Error?

    /// Writes nothing yet: the first write is the first durable entry, a full batch, or `finish`.
    public init(database: CacheDatabase, start: RunHistoryStart, batchSize: Int = 4096) {
        self.database = database
        self.start = start
        self.batchSize = max(1, batchSize)
    }

    /// Adds one task's outcome; writes the batch when `durable` or when it is full.
    /// A write failure is kept and thrown by `finish`.
    public func add(_ entry: TaskHistoryEntry, durable: Bool) {
        lock.withLock {
            pending.append(entry)
            guard durable || pending.count >= batchSize else { return }
            do { try flush(finishing: nil) } catch { failure = failure ?? error }
        }
    }

    /// Writes what is left and marks the run finished with `status`, in one
    /// transaction; returns the run's id.
    @discardableResult
    public func finish(status: String) throws -> Int64 {
        try lock.withLock {
            if let failure { throw failure }
            return try flush(finishing: status)
        }
    }

    /// Called with `lock` held.
    @discardableResult
    private func flush(finishing status: String?) throws -> Int64 {
        let entries = pending
        let id = try database.write { db -> Int64 in
            let id = try runID ?? CacheDatabase.insertRun(db, start, started: started, finishedAs: status)
            for entry in entries { try CacheDatabase.insertTask(db, runID: id, entry) }
            if let status, runID != nil { try CacheDatabase.markFinished(db, runID: id, status: status) }
            return id
        }
        runID = id
        pending.removeAll(keepingCapacity: true)
        return id
    }
}
