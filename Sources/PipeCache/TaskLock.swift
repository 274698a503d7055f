import Foundation
import PipeCore

/// An exclusive lock on one task key, held with `flock` on
/// `<cache>/locks/<key>.lock`. The kernel drops it when the holder exits, so a
/// lock left by a killed process is reclaimed by the next taker, and two
/// `pipe run`s never compute the same task twice.
public final class TaskLock: @unchecked Sendable {
    private let fd: Int32
    public let path: String

    private init(fd: Int32, path: String) {
        self.fd = fd
        self.path = path
    }

    /// Takes the lock without waiting; nil when another process holds it.
    public static func tryAcquire(root: String, key: Digest) throws -> TaskLock? {
        let (fd, path) = try open(root: root, key: key)
        if flock(fd, LOCK_EX | LOCK_NB) == 0 { return TaskLock(fd: fd, path: path) }
        close(fd)
        return nil
    }

    /// Waits for the lock (on a thread of its own, so the caller's tasks keep running).
    public static func acquire(root: String, key: Digest) async throws -> TaskLock {
        let (fd, path) = try open(root: root, key: key)
        return try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                while flock(fd, LOCK_EX) != 0 {
                    if errno != EINTR {
                        close(fd)
                        continuation.resume(throwing: CacheError.posix("lock", path: path))
                        return
                    }
                }
                continuation.resume(returning: TaskLock(fd: fd, path: path))
            }
        }
    }

    private static func open(root: String, key: Digest) throws -> (Int32, String) {
        let directory = "\(root)/locks"
        try FileSystem.makeDirectory(directory)
        let path = "\(directory)/\(key.hex).lock"
        let fd = Glibc.open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw CacheError.posix("open lock", path: path) }
        return (fd, path)
    }

    public func release() {
        flock(fd, LOCK_UN)
        close(fd)
    }

}
