import Foundation
import GRDB
import PipeCore

/// One `pipe run` as the history keeps it.
public struct RunHistoryEntry: Sendable {
    public var id: Int64
    public var pipeline: String
    public var specFile: String
    public var specDigest: String
    public var parent: String?
    public var description: String?
    public var resolved: JSONValue
    public var started: Date
    public var finished: Date?
    public var status: String
    public var host: String
    public var version: String
}

/// One task of a run as the history keeps it.
public struct TaskHistoryEntry: Sendable {
    public var task: String
    public var stage: String
    public var key: Digest?
    public var status: String
    public var reason: String?
    public var seconds: Double?
    public var output: Digest?
    public var metrics: JSONValue

    public init(task: String, stage: String, key: Digest?, status: String, reason: String?, seconds: Double?,
                output: Digest?, metrics: JSONValue) {
        self.task = task
        self.stage = stage
        self.key = key
        self.status = status
        self.reason = reason
        self.seconds = seconds
        self.output = output
        self.metrics = metrics
    }
}

extension CacheDatabase {
    /// Starts a run in the history; returns its id.
    public func beginRun(pipeline: String, specFile: String, specDigest: Digest, parent: String?, description: String?,
                         resolved: JSONValue, host: String, version: String) throws -> Int64 {
        let start = RunHistoryStart(pipeline: pipeline, specFile: specFile, specDigest: specDigest, parent: parent,
                                    description: description, resolved: resolved, host: host, version: version)
        return try write { db in try Self.insertRun(db, start, started: Date(), finishedAs: nil) }
    }

    /// Records one task's outcome in run `runID`.
    public func recordTask(runID: Int64, _ entry: TaskHistoryEntry) throws {
        try write { db in try Self.insertTask(db, runID: runID, entry) }
    }

    public func finishRun(_ runID: Int64, status: String) throws {
        try write { db in try Self.markFinished(db, runID: runID, status: status) }
    }

    /// The one insert of a run's row (here and in `RunHistoryWriter`): already
    /// finished when `status` is given, else running.
    static func insertRun(_ db: Database, _ start: RunHistoryStart, started: Date, finishedAs status: String?) throws -> Int64 {
        try db.execute(sql: """
            INSERT INTO runs (pipeline, spec_file, spec_digest, parent, description, resolved, started, finished,
                              status, host, version)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [start.pipeline, start.specFile, start.specDigest.hex, start.parent, start.description,
                             String(decoding: start.resolved.canonicalData, as: UTF8.self),
                             started.timeIntervalSince1970, status.map { _ in Date().timeIntervalSince1970 },
                             status ?? "running", start.host, start.version])
        return db.lastInsertedRowID
    }

    /// The one insert of a task's row (a prepared statement reused across a batch).
    static func insertTask(_ db: Database, runID: Int64, _ entry: TaskHistoryEntry) throws {
        try db.cachedStatement(sql: """
            INSERT OR REPLACE INTO run_tasks (run_id, task, stage, key, status, reason, seconds, output, metrics)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [runID, entry.task, entry.stage, entry.key?.hex, entry.status, entry.reason,
                                     entry.seconds, entry.output?.hex,
                                     String(decoding: entry.metrics.canonicalData, as: UTF8.self)])
    }

    static func markFinished(_ db: Database, runID: Int64, status: String) throws {
        try db.execute(sql: "UPDATE runs SET finished = ?, status = ? WHERE id = ?",
                       arguments: [Date().timeIntervalSince1970, status, runID])
    }

    /// The key `task` had in the latest run of `pipeline` that computed or reused it.
    public func lastKey(pipeline: String, task: String) throws -> Digest? {
        try readStatement { db in
            // Prepared once per connection: planning asks this for every task that must run.
            let hex = try String.fetchOne(db.cachedStatement(sql: """
                SELECT t.key FROM run_tasks t JOIN runs r ON r.id = t.run_id
                WHERE r.pipeline = ? AND t.task = ? AND t.status IN ('ran', 'cached') AND t.key IS NOT NULL
                ORDER BY t.run_id DESC LIMIT 1
                """), arguments: [pipeline, task])
            return hex.flatMap(Digest.init(hex:))
        }
    }

    /// `lastKey` for every task of `stage` (`stage` and `stage[...]`) at once:
    /// one query instead of one per task of a large fan-out.
    public func lastKeys(pipeline: String, stage: String) throws -> [String: Digest] {
        try read { db in
            // SQLite returns the bare columns of the row holding MAX(run_id) in each group.
            let rows = try Row.fetchAll(db, sql: """
                SELECT t.task, t.key, MAX(t.run_id) FROM run_tasks t JOIN runs r ON r.id = t.run_id
                WHERE r.pipeline = ? AND (t.task = ? OR (t.task >= ? AND t.task < ?))
                  AND t.status IN ('ran', 'cached') AND t.key IS NOT NULL
                GROUP BY t.task
                """, arguments: [pipeline, stage, stage + "[", stage + "\\"])
            var keys: [String: Digest] = [:]
            for row in rows {
                if let digest = Digest(hex: row[1] as String) { keys[row[0]] = digest }
            }
            return keys
        }
    }

    /// Runs, newest first, optionally of one pipeline.
    public func runs(pipeline: String? = nil, limit: Int = 1000) throws -> [RunHistoryEntry] {
        try read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT * FROM runs WHERE (? IS NULL OR pipeline = ?) ORDER BY id DESC LIMIT ?
                """, arguments: [pipeline, pipeline, limit])
            return rows.map { row in
                RunHistoryEntry(
                    id: row["id"], pipeline: row["pipeline"], specFile: row["spec_file"], specDigest: row["spec_digest"],
                    parent: row["parent"], description: row["description"],
                    resolved: (try? JSONValue(parsing: row["resolved"] as String)) ?? .null,
                    started: Date(timeIntervalSince1970: row["started"]),
                    finished: (row["finished"] as Double?).map(Date.init(timeIntervalSince1970:)),
                    status: row["status"], host: row["host"], version: row["version"])
            }
        }
    }

    /// The tasks of run `runID`.
    public func tasks(ofRun runID: Int64) throws -> [TaskHistoryEntry] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM run_tasks WHERE run_id = ? ORDER BY rowid", arguments: [runID]).map { row in
                TaskHistoryEntry(
                    task: row["task"], stage: row["stage"], key: (row["key"] as String?).flatMap(Digest.init(hex:)),
                    status: row["status"], reason: row["reason"], seconds: row["seconds"],
                    output: (row["output"] as String?).flatMap(Digest.init(hex:)),
                    metrics: (try? JSONValue(parsing: (row["metrics"] as String?) ?? "{}")) ?? .object([:]))
            }
        }
    }

    /// Per pipeline, when its latest finished run started (gc keeps records computed since).
    public func latestFinishedRunStarts() throws -> [String: Date] {
        try read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT pipeline, MAX(started) AS started FROM runs WHERE finished IS NOT NULL GROUP BY pipeline
                """)
            return Dictionary(rows.map { ($0["pipeline"] as String, Date(timeIntervalSince1970: $0["started"])) },
                              uniquingKeysWith: max)
        }
    }

    /// For every pipeline and task, the key of its latest completed run: what gc keeps.
    public func keysOfLatestRuns() throws -> Set<Digest> {
        try read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT t.key AS key, MAX(t.run_id) FROM run_tasks t JOIN runs r ON r.id = t.run_id
                WHERE t.key IS NOT NULL AND t.status IN ('ran', 'cached') GROUP BY r.pipeline, t.task
                """)
            return Set(rows.compactMap { Digest(hex: $0["key"]) })
        }
    }
}
