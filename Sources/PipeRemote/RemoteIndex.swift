import Foundation
import PipeCore

/// What this machine knows the remote holds (objects and records), kept in
/// `<cache>/remote/<id>.index` so a second push or a no-op run asks the
/// remote nothing. Only ever a hint to skip work: a record is still verified
/// when fetched, and `pipe push --refresh` forgets it.
public final class RemoteIndex: @unchecked Sendable {
    /// The index file.
    public let path: String
    private let lock = NSLock()
    private var objectSet = Set<Digest>()
    private var recordSet = Set<Digest>()

    /// Opens the index of the remote `description` in the cache at `cacheRoot`.
    /// Lines that are not `o <digest>` or `r <digest>` are ignored.
    public init(cacheRoot: String, remote description: String) {
        let id = Digest.of(Data(description.utf8)).hex.prefix(16)
        path = "\(cacheRoot)/remote/\(id).index"
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return }
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: " ")
            guard parts.count == 2, let digest = Digest(hex: String(parts[1])) else { continue }
            if parts[0] == "o" { objectSet.insert(digest) } else if parts[0] == "r" { recordSet.insert(digest) }
        }
    }

    /// Objects known to be on the remote.
    public var objects: Set<Digest> { lock.withLock { objectSet } }
    /// Records known to be on the remote.
    public var records: Set<Digest> { lock.withLock { recordSet } }

    /// Remembers objects and records as present (appended to the file).
    public func add<O: Sequence<Digest>, R: Sequence<Digest>>(objects: O, records: R) {
        lock.lock()
        defer { lock.unlock() }
        var lines = ""
        for digest in objects where objectSet.insert(digest).inserted { lines += "o \(digest.hex)\n" }
        for digest in records where recordSet.insert(digest).inserted { lines += "r \(digest.hex)\n" }
        guard !lines.isEmpty else { return }
        try? FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent,
                                                 withIntermediateDirectories: true)
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT, 0o644)
        guard fd >= 0 else { return }
        defer { close(fd) }
        _ = lines.utf8CString.withUnsafeBufferPointer { write(fd, $0.baseAddress, $0.count - 1) }
    }

    /// Remembers objects as present.
    public func add(objects: some Sequence<Digest>) { add(objects: objects, records: [Digest]()) }
    /// Remembers records as present.
    public func add(records: some Sequence<Digest>) { add(objects: [Digest](), records: records) }

    /// Forgets an object (it turned out gone or corrupt).
    public func forget(object digest: Digest) {
        lock.withLock { _ = objectSet.remove(digest) }
    }

    /// Whether a write check passed on this remote (remembered beside the index).
    public var writable: Bool { FileManager.default.fileExists(atPath: path + ".writable") }

    /// Remembers that a write check passed, or forgets it (a write was refused since).
    public func setWritable(_ writable: Bool) {
        guard writable else {
            unlink(path + ".writable")
            return
        }
        try? FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent,
                                                 withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: path + ".writable", contents: Data())
    }

    /// Forgets records (their objects turned out gone).
    public func forget(records keys: Set<Digest>) {
        lock.withLock { recordSet.subtract(keys) }
    }

    /// Forgets everything (`--refresh`).
    public func reset() {
        lock.withLock {
            objectSet = []
            recordSet = []
        }
        unlink(path)
        setWritable(false)
    }
}
