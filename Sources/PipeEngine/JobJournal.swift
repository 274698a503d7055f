import Foundation
import PipeCache
import PipeCore

/// `<cache>/executor/journal/<key>.json`: which job runs a task, written
/// before the job is submitted (with the run's job name and the submission's
/// token, its `--comment`) and completed with its id after, removed once the
/// task's end is known. A restarted `pipe run` reattaches to a task's job
/// instead of submitting it twice; `pipe cancel` ends every job listed even
/// when the planner that submitted them died. An entry still without an id
/// (the planner died while `sbatch` ran, or its reply was lost) is matched to
/// its job by token with the one `squeue` of its job names (`identified`);
/// only an entry no queued job carries the token of is submitted again.
public struct JobJournal: Sendable {
    public struct Entry: Sendable, Codable, Equatable {
        public var key: Digest
        public var task: String
        /// `--job-name`: the run's, shared by all its jobs (one `squeue --name` per poll finds them all).
        public var jobName: String
        public var jobID: String?
        /// The submission's `--comment` (`JobSubmission.token`); nil in entries of pipe versions without one.
        public var token: String?
        public var log: String

        public init(key: Digest, task: String, jobName: String, jobID: String?, token: String?, log: String) {
            self.key = key
            self.task = task
            self.jobName = jobName
            self.jobID = jobID
            self.token = token
            self.log = log
        }
    }

    public let path: String

    public init(cacheRoot: String) { path = "\(cacheRoot)/executor/journal" }

    public func write(_ entry: Entry) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try FileSystem.writeAtomically(try encoder.encode(entry), to: "\(path)/\(entry.key.hex).json")
    }

    /// The entry of `key`; nil when there is none or it is not one pipe wrote (its
    /// job id, read from the shared filesystem, goes into scancel's arguments).
    public func read(_ key: Digest) -> Entry? {
        guard let data = FileManager.default.contents(atPath: "\(path)/\(key.hex).json"), data.count <= 1 << 16,
              let entry = try? JSONDecoder().decode(Entry.self, from: data), entry.key == key,
              entry.jobID.map(SlurmCommands.isJobID) ?? true else { return nil }
        return entry
    }

    public func remove(_ key: Digest) { unlink("\(path)/\(key.hex).json") }

    /// Every entry, for `pipe cancel`.
    public func all() -> [Entry] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        return names.sorted().compactMap { name in
            guard name.hasSuffix(".json"), let key = Digest(hex: String(name.dropLast(5))) else { return nil }
            return read(key)
        }
    }

    /// `entries` with the id of the queued job whose comment is their token
    /// filled in where they had none; entries no job carries the token of keep
    /// a nil id. `queue` is the one `squeue` of the entries' job names.
    public static func identified(_ entries: [Entry], in queue: [String: SlurmCommands.QueueEntry]) -> [Entry] {
        let byToken = Dictionary(queue.filter { !$0.value.comment.isEmpty }.map { ($0.value.comment, $0.key) }) { a, b in
            min(a, b)
        }
        return entries.map { entry in
            guard entry.jobID == nil, let token = entry.token, let id = byToken[token] else { return entry }
            var found = entry
            found.jobID = id
            return found
        }
    }
}
