import Foundation

/// The whole-cache lock (`<cache>/lock`): runs hold it shared, `gc` holds it
/// exclusive, so garbage collection never removes what a running task reads.
/// It is an `flock`, released by the kernel if the holder dies.
public final class CacheLock: @unchecked Sendable {
    private let fd: Int32

    private init(fd: Int32) { self.fd = fd }

    public static func shared(root: String) throws -> CacheLock { try take(root: root, operation: LOCK_SH) }
    public static func exclusive(root: String) throws -> CacheLock { try take(root: root, operation: LOCK_EX) }

    /// An exclusive lock on the file at `path` itself, for short critical
    /// sections such as creating the database schema.
    public static func exclusive(file path: String) throws -> CacheLock { try take(path: path, operation: LOCK_EX) }

    private static func take(root: String, operation: Int32) throws -> CacheLock {
        try FileSystem.makeDirectory(root)
        return try take(path: "\(root)/lock", operation: operation)
    }

    private static func take(path: String, operation: Int32) throws -> CacheLock {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw CacheError.posix("open the cache lock", path: path) }
        while flock(fd, operation) != 0 {
            if errno != EINTR { close(fd); throw CacheError.posix("lock the cache", path: path) }
        }
        return CacheLock(fd: fd)
    }

    public func release() {
        flock(fd, LOCK_UN)
        close(fd)
    }
}
