import Foundation

/// Small POSIX helpers the store is built on: every write goes to a temp
/// file, is fsynced, then renamed into place, so a crash leaves the old
/// state or the new one, never half of either.
public enum FileSystem {
    /// Writes `data` to `path` atomically (temp file in the same directory, fsync, rename, fsync dir).
    public static func writeAtomically(_ data: Data, to path: String, mode: mode_t = 0o644) throws {
        let directory = (path as NSString).deletingLastPathComponent
        try makeDirectory(directory)
        let temp = "\(directory)/.tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL, mode)
        guard fd >= 0 else { throw CacheError.posix("create a file", path: temp) }
        var ok = false
        defer { if !ok { unlink(temp) } }
        try data.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    let code = errno
                    close(fd)
                    throw CacheError.posix("write", path: temp, errno: code)
                }
                offset += n
            }
        }
        guard fsync(fd) == 0 else { let code = errno; close(fd); throw CacheError.posix("sync", path: temp, errno: code) }
        close(fd)
        guard rename(temp, path) == 0 else { throw CacheError.posix("rename into place", path: path) }
        ok = true
        syncDirectory(directory)
    }

    static func makeDirectory(_ path: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw CacheError("cannot create directory", path: path, cause: "\(error)")
        }
    }

    static func syncDirectory(_ path: String) {
        let fd = open(path, O_RDONLY | O_DIRECTORY)
        if fd >= 0 { fsync(fd); close(fd) }
    }

    static func syncFile(_ path: String) throws {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw CacheError.posix("open", path: path) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw CacheError.posix("sync", path: path) }
    }

    /// The bytes of the regular file at `path`, or nil when it cannot be
    /// opened or read: one `open`, `fstat` and `read`, for the small files
    /// read per task (run records, manifests), where Foundation's reader costs more.
    /// A file larger than `limit` bytes gives nil too: its size is not trusted as an allocation.
    static func contents(of path: String, limit: Int = .max) -> Data? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG, info.st_size <= limit else { return nil }
        var data = Data(count: Int(info.st_size))
        var filled = 0
        let complete = data.withUnsafeMutableBytes { buffer -> Bool in
            while filled < buffer.count {
                let count = read(fd, buffer.baseAddress! + filled, buffer.count - filled)
                if count < 0, errno == EINTR { continue }
                guard count > 0 else { return false }
                filled += count
            }
            return true
        }
        return complete ? data : nil
    }

    static func exists(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }

    static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    /// True for a directory itself, not a symbolic link to one.
    static func isRealDirectory(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    /// Removes a file or a whole tree, making read-only directories writable
    /// first. Symbolic links are removed, never followed: a link in a task's
    /// work directory to a project folder must not get that folder chmod'ed.
    static func removeTree(_ path: String) {
        guard exists(path) else { return }
        if isRealDirectory(path), let walker = FileManager.default.enumerator(atPath: path) {
            chmod(path, 0o755)
            for case let item as String in walker where isRealDirectory("\(path)/\(item)") {
                chmod("\(path)/\(item)", 0o755)
            }
        }
        try? FileManager.default.removeItem(atPath: path)
    }
}
