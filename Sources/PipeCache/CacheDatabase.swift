import Foundation
import GRDB
import PipeCore

/// The cache's SQLite database (`<cache>/pipe.db`, WAL mode so several
/// `pipe` processes share it): the hash state that lets unchanged inputs go
/// unread, and the history of runs that `plan` explains against and `log`
/// tabulates.
public final class CacheDatabase: @unchecked Sendable {
    let pool: DatabasePool
    /// The database file (`<cache>/pipe.db`).
    public let path: String
    private let commits = CommitCounter()

    /// Write transactions this process committed to the database: a no-op
    /// `pipe run` commits exactly one (its run record, `RunHistoryWriter`).
    public var committedWrites: Int { commits.count }

    public init(path: String) throws {
        self.path = path
        var configuration = Configuration()
        configuration.busyMode = .timeout(30)
        // Two processes opening a new cache at once would both create the
        // schema; the second fails with "table already exists". Serialise it.
        let schemaLock = try CacheLock.exclusive(file: "\(path).lock")
        defer { schemaLock.release() }
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
            try Self.migrator.migrate(pool)
            let commits = self.commits
            try pool.writeWithoutTransaction { $0.add(transactionObserver: commits, extent: .databaseLifetime) }
        } catch {
            throw Self.explain(error, path: path)
        }
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE hash_state (
                    path TEXT PRIMARY KEY, inode INTEGER NOT NULL, size INTEGER NOT NULL,
                    mtime_ns INTEGER NOT NULL, digest TEXT NOT NULL);
                CREATE TABLE runs (
                    id INTEGER PRIMARY KEY AUTOINCREMENT, pipeline TEXT NOT NULL, spec_file TEXT NOT NULL,
                    spec_digest TEXT NOT NULL, parent TEXT, description TEXT, resolved TEXT NOT NULL,
                    started REAL NOT NULL, finished REAL, status TEXT NOT NULL, host TEXT NOT NULL,
                    version TEXT NOT NULL);
                CREATE INDEX runs_by_pipeline ON runs(pipeline, id);
                CREATE TABLE run_tasks (
                    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE, task TEXT NOT NULL,
                    stage TEXT NOT NULL, key TEXT, status TEXT NOT NULL, reason TEXT, seconds REAL,
                    output TEXT, metrics TEXT, PRIMARY KEY (run_id, task));
                CREATE INDEX run_tasks_by_task ON run_tasks(task, run_id);
                CREATE TABLE records (
                    pipeline TEXT PRIMARY KEY, lb REAL, note TEXT, recorded REAL NOT NULL);
                """)
        }
        migrator.registerMigration("v2-object-stamps") { db in
            try db.execute(sql: """
                CREATE TABLE object_stamps (
                    digest TEXT PRIMARY KEY, inode INTEGER NOT NULL, size INTEGER NOT NULL,
                    mtime_ns INTEGER NOT NULL, ctime_ns INTEGER NOT NULL);
                """)
        }
        return migrator
    }
}

/// Counts the commits of the connection it observes.
private final class CommitCounter: TransactionObserver, @unchecked Sendable {
    private let lock = NSLock()
    private var commits = 0

    var count: Int { lock.withLock { commits } }

    func observes(eventsOfKind eventKind: DatabaseEventKind) -> Bool { false }
    func databaseDidChange(with event: DatabaseEvent) {}
    func databaseDidCommit(_ db: Database) { lock.withLock { commits += 1 } }
    func databaseDidRollback(_ db: Database) {}
}

// MARK: - Hash state

/// What `stat` says of a file: if all four match the last time it was
/// hashed, its digest is taken from the database instead of re-reading it.
public struct FileStamp: Sendable, Hashable {
    public var inode: UInt64
    public var size: Int64
    public var mtimeNanoseconds: Int64

    public init?(path: String) {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        inode = UInt64(info.st_ino)
        size = Int64(info.st_size)
        mtimeNanoseconds = Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec)
    }
}

extension CacheDatabase {
    /// Digests recorded for these paths whose stamps still match.
    public func knownDigests(_ stamps: [String: FileStamp]) throws -> [String: Digest] {
        try read { db in
            var result: [String: Digest] = [:]
            let statement = try db.cachedStatement(sql: "SELECT inode, size, mtime_ns, digest FROM hash_state WHERE path = ?")
            for (path, stamp) in stamps {
                guard let row = try Row.fetchOne(statement, arguments: [path]) else { continue }
                let inode: Int64 = row["inode"], size: Int64 = row["size"], mtime: Int64 = row["mtime_ns"]
                if UInt64(bitPattern: inode) == stamp.inode, size == stamp.size, mtime == stamp.mtimeNanoseconds,
                   let digest = Digest(hex: row["digest"]) {
                    result[path] = digest
                }
            }
            return result
        }
    }

    /// Remembers freshly computed digests with the stamps they were computed for.
    public func remember(_ digests: [(path: String, stamp: FileStamp, digest: Digest)]) throws {
        guard !digests.isEmpty else { return }
        try write { db in
            for item in digests {
                try db.execute(sql: """
                    INSERT OR REPLACE INTO hash_state (path, inode, size, mtime_ns, digest) VALUES (?, ?, ?, ?, ?)
                    """, arguments: [item.path, Int64(bitPattern: item.stamp.inode), item.stamp.size,
                                     item.stamp.mtimeNanoseconds, item.digest.hex])
            }
        }
    }
}
