import Foundation
import GRDB

extension CacheDatabase {
    /// Reads from the database; a failure becomes a `CacheError` naming the
    /// file and the remedy (`explain`).
    func read<T>(_ body: (Database) throws -> T) throws -> T {
        do { return try pool.read(body) } catch { throw Self.explain(error, path: path) }
    }

    /// As `read`, without the transaction around `body`: for one statement,
    /// which SQLite runs on a consistent snapshot of its own (a per-task
    /// lookup then costs one statement, not three).
    func readStatement<T>(_ body: (Database) throws -> T) throws -> T {
        do { return try pool.unsafeRead(body) } catch { throw Self.explain(error, path: path) }
    }

    /// Writes to the database in one transaction; failures as for `read`.
    func write<T>(_ body: (Database) throws -> T) throws -> T {
        do { return try pool.write(body) } catch { throw Self.explain(error, path: path) }
    }

    /// One line for a database failure: which file, what is wrong with it in
    /// words, and what to do (`explain(resultCode:message:path:)`).
    public static func explain(_ error: Error, path: String) -> CacheError {
        if let error = error as? CacheError { return error }
        guard let error = error as? DatabaseError else {
            return CacheError("cannot use the cache database '\(path)' (\(error)); run 'pipe cache repair' if it is damaged")
        }
        return explain(resultCode: error.resultCode.rawValue, message: error.message, path: path)
    }

    /// The message for SQLite result code `resultCode` (primary or
    /// extended). Damage asks for `pipe cache repair`, which keeps every
    /// object; a lock or missing write permission never suggests deleting anything.
    public static func explain(resultCode: Int32, message: String?, path: String) -> CacheError {
        let detail = message.map { " (\($0))" } ?? ""
        switch resultCode & 0xFF {
        case 11, 26:  // SQLITE_CORRUPT, SQLITE_NOTADB
            return CacheError("the cache database '\(path)' is damaged\(detail); run 'pipe cache repair' to rebuild it "
                              + "(objects and run records are kept)")
        case 5, 6:  // SQLITE_BUSY, SQLITE_LOCKED
            return CacheError("the cache database '\(path)' is locked by another process\(detail); wait for the other "
                              + "'pipe' to finish, or stop it, and try again")
        case 8, 3, 23:  // SQLITE_READONLY, SQLITE_PERM, SQLITE_AUTH
            return CacheError("the cache database '\(path)' is read-only\(detail); make it and its folder writable "
                              + "(chmod u+w, chattr -i), or pass --cache (or set PIPE_CACHE to) a cache you can write")
        case 14:  // SQLITE_CANTOPEN
            return CacheError("cannot open the cache database '\(path)'\(detail); check that it and its folder exist "
                              + "and are readable and writable (chmod u+rw)")
        case 13:  // SQLITE_FULL
            return CacheError("the disk holding the cache database '\(path)' is full; free space or point PIPE_CACHE at a "
                              + "larger disk")
        case 10:  // SQLITE_IOERR
            return CacheError("cannot read or write the cache database '\(path)'\(detail); if the file was truncated or "
                              + "damaged, run 'pipe cache repair'")
        default:
            return CacheError("cannot use the cache database '\(path)'\(detail); run 'pipe cache repair' if it is damaged")
        }
    }
}
