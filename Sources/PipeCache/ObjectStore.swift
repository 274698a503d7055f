import Foundation
import PipeCore

/// The content-addressed object store under `<cache>/objects/ab/cdef…`.
/// Objects are immutable, read-only files named by the SHA-256 of their
/// bytes; a directory artifact is a `TreeManifest` stored as an object of its
/// own. Ingesting is crash-safe: an object appears whole (renamed into place
/// after fsync) or not at all.
public struct ObjectStore: Sendable {
    public let root: String

    public init(root: String) { self.root = root }

    var objectsDirectory: String { "\(root)/objects" }
    var temporaryDirectory: String { "\(root)/tmp" }

    /// Where the object with `digest` lives (whether or not it exists).
    public func path(of digest: Digest) -> String {
        let hex = digest.hex
        return "\(objectsDirectory)/\(hex.prefix(2))/\(hex.dropFirst(2))"
    }

    public func contains(_ digest: Digest) -> Bool { FileSystem.exists(path(of: digest)) }

    /// Stores `data` as an object and returns its digest.
    @discardableResult
    public func put(_ data: Data) throws -> Digest {
        let digest = Digest.of(data)
        let target = path(of: digest)
        if !FileSystem.exists(target) { try FileSystem.writeAtomically(data, to: target, mode: 0o444) }
        return digest
    }

    /// The bytes of an object, checked against its digest.
    public func get(_ digest: Digest) throws -> Data {
        let target = path(of: digest)
        guard let data = FileManager.default.contents(atPath: target) else {
            throw CacheError("object missing from the cache", path: target)
        }
        guard Digest.of(data) == digest else {
            throw CacheError("object is corrupt (its content no longer matches its name); run 'pipe cache verify'", path: target)
        }
        return data
    }

    /// Moves (or copies) the regular file at `source` into the store and
    /// returns its entry. After a move the source path is gone.
    public func ingestFile(at source: String, relativePath: String, move: Bool) throws -> TreeManifest.Entry {
        var info = stat()
        guard stat(source, &info) == 0 else { throw CacheError.posix("read", path: source) }
        let digest: Digest
        do { digest = try StreamingHasher.digest(ofFileAt: source) } catch { throw CacheError("cannot read", path: source, cause: "\(error)") }
        let target = path(of: digest)
        if FileSystem.exists(target) {
            if move { unlink(source) }
        } else {
            try FileSystem.makeDirectory((target as NSString).deletingLastPathComponent)
            if move {
                try FileSystem.syncFile(source)
                chmod(source, 0o444)
                guard rename(source, target) == 0 else { throw CacheError.posix("move into the cache", path: source) }
            } else {
                try copyIntoStore(source, target: target)
            }
            FileSystem.syncDirectory((target as NSString).deletingLastPathComponent)
        }
        return TreeManifest.Entry(path: relativePath, executable: info.st_mode & 0o111 != 0, digest: digest,
                                  size: Int64(info.st_size))
    }

    private func copyIntoStore(_ source: String, target: String) throws {
        try FileSystem.makeDirectory(temporaryDirectory)
        let temp = "\(temporaryDirectory)/ingest-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        do { try FileManager.default.copyItem(atPath: source, toPath: temp) } catch {
            unlink(temp)
            throw CacheError("cannot copy into the cache", path: source, cause: "\(error)")
        }
        defer { unlink(temp) }
        try FileSystem.syncFile(temp)
        chmod(temp, 0o444)
        guard rename(temp, target) == 0 else { throw CacheError.posix("move into the cache", path: target) }
    }

    /// Ingests every regular file under `directory` and stores the manifest.
    /// Returns the manifest; its `digest` names the artifact.
    public func ingestTree(at directory: String, move: Bool) throws -> TreeManifest {
        var entries: [TreeManifest.Entry] = []
        for relative in try Self.regularFiles(under: directory) {
            entries.append(try ingestFile(at: "\(directory)/\(relative)", relativePath: relative, move: move))
        }
        let manifest = TreeManifest(entries: entries)
        try put(manifest.json.canonicalData)
        return manifest
    }

    /// The manifest stored under `digest`, or nil when it is missing or not a manifest.
    public func manifest(_ digest: Digest) -> TreeManifest? {
        guard let data = try? get(digest), let json = try? JSONValue(parsing: data) else { return nil }
        return TreeManifest(json: json)
    }

    /// True when the manifest and every object it names are present.
    public func isComplete(_ digest: Digest) -> Bool {
        guard let manifest = manifest(digest) else { return false }
        return manifest.entries.allSatisfy { contains($0.digest) }
    }

    /// Sorted relative paths of the regular files under `directory` (symlinks followed).
    static func regularFiles(under directory: String) throws -> [String] {
        let directory = URL(fileURLWithPath: directory).resolvingSymlinksInPath().path
        guard let walker = FileManager.default.enumerator(atPath: directory) else {
            throw CacheError("cannot list", path: directory)
        }
        var files: [String] = []
        for case let relative as String in walker {
            var info = stat()
            if stat("\(directory)/\(relative)", &info) == 0, (info.st_mode & S_IFMT) == S_IFREG { files.append(relative) }
        }
        return files.sorted()
    }
}
