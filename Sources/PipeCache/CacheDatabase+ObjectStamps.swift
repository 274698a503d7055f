import Foundation
import GRDB
import PipeCore

extension CacheDatabase {
    /// The stamps recorded for `digests` (those that have one).
    func objectStamps(_ digests: [Digest]) -> [Digest: ObjectStamp] {
        guard !digests.isEmpty else { return [:] }
        // A database that cannot be read gives no stamps: every object is re-hashed, never trusted.
        // No transaction: a stamp only spares a re-hash when it still matches the file, so chunks
        // read at different moments are as safe as one snapshot.
        return (try? readStatement { db in
            var result: [Digest: ObjectStamp] = [:]
            for start in stride(from: 0, to: digests.count, by: 500) {
                let chunk = digests[start..<min(start + 500, digests.count)]
                // Prepared once per chunk size and connection: a no-op run asks this once per task.
                let rows = try Row.fetchAll(db.cachedStatement(sql: """
                    SELECT digest, inode, size, mtime_ns, ctime_ns FROM object_stamps
                    WHERE digest IN (\(chunk.map { _ in "?" }.joined(separator: ",")))
                    """), arguments: StatementArguments(chunk.map(\.hex)))
                for row in rows {
                    guard let digest = Digest(hex: row["digest"]) else { continue }
                    let inode: Int64 = row["inode"]
                    result[digest] = ObjectStamp(inode: UInt64(bitPattern: inode), size: row["size"],
                                                 mtimeNanoseconds: row["mtime_ns"], ctimeNanoseconds: row["ctime_ns"])
                }
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
