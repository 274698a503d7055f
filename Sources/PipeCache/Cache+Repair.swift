import Foundation
import GRDB
import PipeCore

/// What `pipe cache repair` did.
public struct RepairReport: Sendable {
    /// The database passed its integrity check: nothing was changed.
    public var healthy = false
    /// Where the damaged database was moved (nil when there was none).
    public var movedAside: String?
    /// Rows copied from the damaged database, per table.
    public var salvaged: [String: Int] = [:]
    /// Pipelines and tasks whose latest result was rebuilt from run records.
    public var rebuiltPipelines = 0
    public var rebuiltTasks = 0
    /// What could not be recovered, in the user's words.
    public var lost: [String] = []
}

extension Cache {
    /// Rebuilds `<root>/pipe.db` when it is damaged: moves it aside (with its
    /// WAL), creates a fresh one, copies every table of the old one that can
    /// still be read in full (run history, `pipe record` scores), and
    /// rebuilds, from the run records under `runs/`, a `recovered` run per
    /// pipeline naming the latest result of each task, so `plan` explains
    /// against it and `gc` keeps it. Objects and run records are never
    /// touched. Input file digests and object stamps are not carried over
    /// (a damaged file may hold wrong ones): they are recomputed on next use.
    /// Holds the cache's exclusive lock, so no run is in flight meanwhile.
    public static func repairDatabase(root: String, force: Bool = false) throws -> RepairReport {
        let lock = try CacheLock.exclusive(root: root)
        defer { lock.release() }
        let path = "\(root)/pipe.db"
        var report = RepairReport()
        if !force, FileManager.default.fileExists(atPath: path), isHealthy(path) {
            report.healthy = true
            return report
        }
        var aside: String?
        if FileSystem.exists(path) {
            let stamp = ISO8601DateFormatter().string(from: Date()).replacingOccurrences(of: ":", with: "")
            let target = "\(path).damaged-\(stamp)"
            guard rename(path, target) == 0 else { throw CacheError.posix("move the damaged database aside", path: path) }
            for suffix in ["-wal", "-shm"] where FileSystem.exists(path + suffix) { rename(path + suffix, target + suffix) }
            aside = target
        }
        report.movedAside = aside
        let fresh = try CacheDatabase(path: path)
        let salvage = aside.flatMap { try? DatabaseQueue(path: $0) }
        for table in ["runs", "run_tasks", "records"] {
            if let salvage, let count = try? copy(table, from: salvage, into: fresh) { report.salvaged[table] = count }
        }
        try? salvage?.close()
        if report.salvaged["records"] == nil { report.lost.append("leaderboard scores and notes set with 'pipe record'") }
        if report.salvaged["runs"] == nil || report.salvaged["run_tasks"] == nil {
            report.lost.append("the run history before this repair ('pipe log' rows and timings, 'pipe plan' reasons); "
                               + "the latest result of each task was rebuilt from run records")
        }
        (report.rebuiltPipelines, report.rebuiltTasks) = try rebuildLatestRuns(root: root, into: fresh)
        report.lost.append("digests of input files and stamps of objects: recomputed on next use "
                           + "('pipe cache verify' re-hashes every object now)")
        return report
    }

    /// True when SQLite's integrity check passes and the schema is readable.
    static func isHealthy(_ path: String) -> Bool {
        guard let queue = try? DatabaseQueue(path: path) else { return false }
        defer { try? queue.close() }
        let result = try? queue.read { db -> String? in
            _ = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM runs")
            return try String.fetchOne(db, sql: "PRAGMA integrity_check")
        }
        return result == "ok"
    }

    /// Copies every row of `table`; throws (copying nothing) when any row cannot be read.
    private static func copy(_ table: String, from source: DatabaseQueue, into target: CacheDatabase) throws -> Int {
        let rows = try source.read { db in try Row.fetchAll(db, sql: "SELECT * FROM \(table)") }
        guard let columns = rows.first?.columnNames.map({ $0 }) else { return 0 }
        let sql = "INSERT OR IGNORE INTO \(table) (\(columns.joined(separator: ", "))) VALUES "
            + "(\(columns.map { _ in "?" }.joined(separator: ", ")))"
        try target.write { db in
            for row in rows { try db.execute(sql: sql, arguments: StatementArguments(columns.map { row[$0] as DatabaseValue })) }
        }
        return rows.count
    }

    /// Adds a `recovered` run per pipeline holding, for each task, its
    /// latest run record whose key the history does not already name as the
    /// task's latest result. Returns (pipelines, tasks) added.
    private static func rebuildLatestRuns(root: String, into database: CacheDatabase) throws -> (Int, Int) {
        let records = RunRecordStore(root: root, objects: ObjectStore(root: root))
        var latest: [String: [String: RunRecord]] = [:]
        for record in records.allKeys().compactMap(records.read) {
            if let known = latest[record.pipeline]?[record.task], known.started >= record.started { continue }
            latest[record.pipeline, default: [:]][record.task] = record
        }
        var pipelines = 0, tasks = 0
        for (pipeline, byTask) in latest.sorted(by: { $0.key < $1.key }) {
            let missing = try byTask.values.filter { try database.lastKey(pipeline: pipeline, task: $0.task) != $0.key }
            guard !missing.isEmpty else { continue }
            let started = missing.map(\.started).min()!
            let runID = try database.beginRun(
                pipeline: pipeline, specFile: "", specDigest: Digest.of(Data()), parent: nil,
                description: "recovered by 'pipe cache repair' from run records", resolved: .object([:]),
                host: missing[0].host, version: missing[0].pipeVersion)
            for record in missing.sorted(by: { $0.task < $1.task }) {
                try database.recordTask(runID: runID, TaskHistoryEntry(
                    task: record.task, stage: record.stage, key: record.key, status: "ran",
                    reason: "recovered from its run record", seconds: record.seconds, output: record.output,
                    metrics: record.metrics))
            }
            try database.write { db in
                try db.execute(sql: "UPDATE runs SET started = ?, finished = ?, status = 'ok' WHERE id = ?",
                               arguments: [started.timeIntervalSince1970,
                                           missing.map { $0.started.timeIntervalSince1970 + $0.seconds }.max()!, runID])
            }
            pipelines += 1
            tasks += missing.count
        }
        return (pipelines, tasks)
    }
}
