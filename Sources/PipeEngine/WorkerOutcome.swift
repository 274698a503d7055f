import Foundation
import PipeCache
import PipeCore

/// What `pipe task exec` says about one task when it is done with it,
/// written atomically to `<cache>/executor/outcomes/<key>.json` after the run
/// record (on success) so that one directory scan by the planner finds every
/// task that finished, whatever the scheduler says.
public struct WorkerOutcome: Sendable, Codable, Equatable {
    public enum Status: String, Sendable, Codable {
        /// The output and run record are stored.
        case ran
        /// The task's own work failed (its command exited non-zero, a stage error).
        case failed
        /// The job reached its time limit (Slurm's `--signal` warning came) before the task finished.
        case timedOut = "timed-out"
        /// The job was cancelled (SIGTERM) before the task finished.
        case cancelled
        /// The bundle ended before the task started (an earlier task of it was stopped).
        case notStarted = "not-started"
    }

    public var key: Digest
    public var status: Status
    public var message: String?
    public var log: String?
    public var seconds: Double
    public var host: String
    /// `SLURM_JOB_ID` of the job that ran it, if any.
    public var job: String?

    public init(key: Digest, status: Status, message: String? = nil, log: String? = nil, seconds: Double = 0,
                host: String = ProcessInfo.processInfo.hostName,
                job: String? = ProcessInfo.processInfo.environment["SLURM_JOB_ID"]) {
        self.key = key
        self.status = status
        self.message = message
        self.log = log
        self.seconds = seconds
        self.host = host
        self.job = job
    }
}

/// `<cache>/executor/outcomes/`: one file per finished task, written by
/// workers, read and removed by the planner.
public struct OutcomeDirectory: Sendable {
    public let path: String

    public init(cacheRoot: String) { path = "\(cacheRoot)/executor/outcomes" }

    public func file(for key: Digest) -> String { "\(path)/\(key.hex).json" }

    /// Writes an outcome atomically (temp file, fsync, rename).
    public func write(_ outcome: WorkerOutcome) throws {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try FileSystem.writeAtomically(try encoder.encode(outcome), to: file(for: outcome.key))
    }

    /// The keys that have an outcome now, from one listing of the directory.
    public func scan() -> Set<Digest> {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        return Set(names.compactMap { name in
            name.hasSuffix(".json") ? Digest(hex: String(name.dropLast(5))) : nil
        })
    }

    /// The outcome for `key`, if one was written.
    public func read(_ key: Digest) -> WorkerOutcome? {
        guard let data = FileManager.default.contents(atPath: file(for: key)) else { return nil }
        return try? JSONDecoder().decode(WorkerOutcome.self, from: data)
    }

    public func remove(_ key: Digest) { unlink(file(for: key)) }
}
