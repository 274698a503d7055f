import Foundation
import GRDB
import PipeCore

extension CacheDatabase {
    /// The stamps recorded for `digests` (those that have one).
    func objectStamps(_ digests: [Digest]) -> [Digest: ObjectStamp] {
        guard !digests.isEmpty else { return [:] }
        // A database that cannot be read gives no stamps: every object is re-hashed, never trusted.
        return (try? pool.read { db in
            var result: [Digest: ObjectStamp] = [:]
            let statement = try db.cachedStatement(
                sql: "SELECT inode, size, mtime_ns, ctime_ns FROM object_stamps WHERE digest = ?")
            for digest in digests {
                guard let row = try Row.fetchOne(statement, arguments: [digest.hex]) else { continue }
                let inode: Int64 = row["inode"]
                result[digest] = ObjectStamp(inode: UInt64(bitPattern: inode), size: row["size"],
                                             mtimeNanoseconds: row["mtime_ns"], ctimeNanoseconds: row["ctime_ns"])
            }
            return result
        }) ?? [:]
    }

    /// Records stamps of objects whose bytes were just checked (or written).
    func rememberObjectStamps(_ stamps: [Digest: ObjectStamp]) {
        guard !stamps.isEmpty else { return }
        try? pool.write { db in
            let statement = try db.cachedStatement(sql: """
                INSERT OR REPLACE INTO object_stamps (digest, inode, size, mtime_ns, ctime_ns) VALUES (?, ?, ?, ?, ?)
                """)
            for (digest, stamp) in stamps {
                try statement.execute(arguments: [digest.hex, Int64(bitPattern: stamp.inode), stamp.size,
                                                  stamp.mtimeNanoseconds, stamp.ctimeNanoseconds])
            }
        }
    }

    /// Forgets the stamps of evicted objects.
    func forgetObjectStamps(_ digests: [Digest]) {
        guard !digests.isEmpty else { return }
        try? pool.write { db in
            for digest in digests {
                try db.execute(sql: "DELETE FROM object_stamps WHERE digest = ?", arguments: [digest.hex])
            }
        }
    }
}
