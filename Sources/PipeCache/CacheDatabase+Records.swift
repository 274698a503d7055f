import Foundation
import GRDB

/// A leaderboard score and conclusion a person attached to a version (`pipe record`).
public struct VersionRecord: Sendable {
    public var pipeline: String
    public var lb: Double?
    public var note: String?
    public var recorded: Date
}

extension CacheDatabase {
    /// Stores (or updates) the LB score and/or note of `pipeline`; a nil field keeps its old value.
    public func record(pipeline: String, lb: Double?, note: String?) throws {
        try write { db in
            try db.execute(sql: """
                INSERT INTO records (pipeline, lb, note, recorded) VALUES (?, ?, ?, ?)
                ON CONFLICT(pipeline) DO UPDATE SET lb = COALESCE(excluded.lb, lb),
                    note = COALESCE(excluded.note, note), recorded = excluded.recorded
                """, arguments: [pipeline, lb, note, Date().timeIntervalSince1970])
        }
    }

    public func records() throws -> [String: VersionRecord] {
        try read { db in
            var result: [String: VersionRecord] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT * FROM records") {
                let name: String = row["pipeline"]
                result[name] = VersionRecord(pipeline: name, lb: row["lb"], note: row["note"],
                                             recorded: Date(timeIntervalSince1970: row["recorded"]))
            }
            return result
        }
    }
}
