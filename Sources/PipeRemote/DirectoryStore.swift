import Foundation
import PipeCore

/// A remote cache in a directory on a shared filesystem (`file:///path`),
/// with the S3 layout. Files appear by atomic rename, so a reader never sees
/// half an object and a killed push leaves only a stray temp file.
public struct DirectoryStore: RemoteStore {
    /// The remote's root directory.
    public let root: String
    let stats: RemoteStats

    /// Creates a store at `root` (which must exist: `checkAccess` says so).
    public init(root: String, stats: RemoteStats = RemoteStats()) {
        self.root = root
        self.stats = stats
    }

    public var description: String { "file://\(root)" }

    public func checkAccess() throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw RemoteError(.configuration, "remote \(description) does not exist; create the directory "
                              + "(mkdir -p \(root)) or fix cache.remote")
        }
        guard access(root, R_OK | X_OK) == 0 else {
            throw RemoteError(.accessDenied, "remote \(description) is not readable by this user; fix its permissions")
        }
    }

    public func checkWrite() throws {
        guard access(root, W_OK) == 0 else {
            throw RemoteError(.accessDenied, "\(description) is not writable by this user")
        }
    }

    func path(_ name: String) -> String { "\(root)/\(name)" }

    public func missing(_ digests: Set<Digest>) throws -> Set<Digest> {
        guard !digests.isEmpty else { return [] }
        stats.count("STAT")
        return digests.filter { access(path(RemoteLayout.object($0)), F_OK) != 0 }
    }

    public func upload(_ digest: Digest, from file: String) throws {
        var info = stat()
        stats.count("PUT", sent: stat(file, &info) == 0 ? Int64(info.st_size) : 0)
        try copyAtomically(from: file, to: path(RemoteLayout.object(digest)))
    }

    public func download(_ digest: Digest, to file: String, limit: Int64) throws -> (digest: String, size: Int64) {
        let source = path(RemoteLayout.object(digest))
        var sourceInfo = stat()
        if stat(source, &sourceInfo) == 0, Int64(sourceInfo.st_size) > limit {
            stats.count("GET")
            throw RemoteError(.integrity, "object \(digest.short) in \(description) holds \(sourceInfo.st_size) bytes, "
                              + "more than the \(limit) expected")
        }
        guard FileManager.default.fileExists(atPath: source) else {
            stats.count("GET")
            throw RemoteError(.objectMissing, "object \(digest.short) is gone from \(description)")
        }
        unlink(file)
        do { try FileManager.default.copyItem(atPath: source, toPath: file) } catch {
            throw RemoteError(.unavailable, "cannot copy \(source): \(error)")
        }
        let digest: Digest
        do { digest = try StreamingHasher.digest(ofFileAt: file) } catch {
            throw RemoteError(.unavailable, "cannot read \(file): \(error)")
        }
        var info = stat()
        stat(file, &info)
        stats.count("GET", received: Int64(info.st_size))
        return (digest.hex, Int64(info.st_size))
    }

    public func record(_ key: Digest) throws -> Data? {
        stats.count("GET")
        return FileManager.default.contents(atPath: path(RemoteLayout.record(key)))
    }

    public func publish(_ key: Digest, record: Data) throws {
        stats.count("PUT")
        let temp = path("tmp/record-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try makeParent(temp)
        guard FileManager.default.createFile(atPath: temp, contents: record) else {
            throw RemoteError(.accessDenied, "cannot write to \(description); check its permissions")
        }
        try makeParent(path(RemoteLayout.record(key)))
        try rename(temp, to: path(RemoteLayout.record(key)))
    }

    public func hasRecords(_ keys: Set<Digest>) throws -> Set<Digest> {
        guard !keys.isEmpty else { return [] }
        stats.count("STAT")
        return keys.filter { access(path(RemoteLayout.record($0)), F_OK) == 0 }
    }

    public func recordKeys() throws -> Set<Digest> {
        stats.count("LIST")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path("runs"))) ?? []
        return Set(names.compactMap { RemoteLayout.key(ofRecord: "runs/\($0)") })
    }

    public func objects() throws -> [Digest: Int64] {
        stats.count("LIST")
        var result: [Digest: Int64] = [:]
        for shard in (try? FileManager.default.contentsOfDirectory(atPath: path("objects"))) ?? [] {
            for name in (try? FileManager.default.contentsOfDirectory(atPath: path("objects/\(shard)"))) ?? [] {
                var info = stat()
                if let digest = RemoteLayout.digest(ofObject: "objects/\(shard)/\(name)"),
                   lstat(path("objects/\(shard)/\(name)"), &info) == 0 {
                    result[digest] = Int64(info.st_size)
                }
            }
        }
        return result
    }

    private func copyAtomically(from source: String, to target: String) throws {
        let temp = path("tmp/object-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try makeParent(temp)
        defer { unlink(temp) }
        do { try FileManager.default.copyItem(atPath: source, toPath: temp) } catch {
            throw RemoteError(.accessDenied, "cannot write to \(description): \(error)")
        }
        let fd = open(temp, O_RDONLY)
        if fd >= 0 { fsync(fd); close(fd) }
        chmod(temp, 0o444)
        try makeParent(target)
        try rename(temp, to: target)
    }

    private func makeParent(_ file: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: (file as NSString).deletingLastPathComponent,
                                                    withIntermediateDirectories: true)
        } catch {
            throw RemoteError(.accessDenied, "cannot write to \(description): \(error)")
        }
    }

    private func rename(_ from: String, to: String) throws {
        guard Foundation.rename(from, to) == 0 else {
            throw RemoteError(.accessDenied, "cannot write \(to): \(String(cString: strerror(errno)))")
        }
    }
}
