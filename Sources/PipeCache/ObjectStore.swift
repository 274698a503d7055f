import Foundation
import PipeCore

/// The content-addressed object store under `<cache>/objects/ab/cdef…`.
/// Objects are immutable, read-only files named by the SHA-256 of their
/// bytes; a directory artifact is a `TreeManifest` stored as an object of its
/// own. Ingesting is crash-safe: an object appears whole (renamed into place
/// after fsync) or not at all. Every object's `ObjectStamp` is recorded in the
/// database when it is stored and checked whenever it is used (see
/// `ObjectStore+Integrity.swift`), so bytes that no longer match their name
/// are never served.
public struct ObjectStore: Sendable {
    public let root: String
    /// Where object stamps are kept; without it every check re-hashes.
    let ledger: CacheDatabase?
    /// Manifests already read and verified by this process, by digest.
    let manifests = ManifestMemo()

    public init(root: String, ledger: CacheDatabase? = nil) {
        self.root = root
        self.ledger = ledger
    }

    var objectsDirectory: String { "\(root)/objects" }
    var temporaryDirectory: String { "\(root)/tmp" }

    /// Where the object with `digest` lives (whether or not it exists).
    public func path(of digest: Digest) -> String {
        let hex = digest.hex
        return "\(objectsDirectory)/\(hex.prefix(2))/\(hex.dropFirst(2))"
    }

    public func contains(_ digest: Digest) -> Bool { FileSystem.exists(path(of: digest)) }

    /// Stores `data` as an object and returns its digest. An existing object
    /// of that name that turns out corrupt is replaced.
    @discardableResult
    public func put(_ data: Data) throws -> Digest {
        let digest = Digest.of(data)
        let target = path(of: digest)
        if FileSystem.exists(target), check([digest]).corrupt.isEmpty { return digest }
        try FileSystem.writeAtomically(data, to: target, mode: 0o444)
        stamp([digest])
        return digest
    }

    /// The bytes of an object, checked against its digest (by its stamp when
    /// it is large and the stamp is unchanged, else by hashing what was read).
    public func get(_ digest: Digest) throws -> Data {
        let target = path(of: digest)
        guard let data = FileSystem.contents(of: target) else {
            throw CacheError("object missing from the cache", path: target)
        }
        if data.count >= 1 << 16, let known = ledger?.objectStamps([digest])[digest], known == ObjectStamp(path: target) {
            return data
        }
        guard Digest.of(data) == digest else {
            throw CacheError("object is corrupt (its content no longer matches its name); run 'pipe cache verify'",
                             path: target, corruptObjects: [digest])
        }
        return data
    }

    /// The manifest stored under `digest`, or nil when it is missing or not
    /// a manifest. Parsed once per process: a manifest's bytes are fixed by
    /// its name, and callers that must know it is still intact on disk check
    /// its stamp first (`checkTree`).
    public func manifest(_ digest: Digest) -> TreeManifest? {
        if let known = manifests[digest] { return known }
        guard let data = try? get(digest), let json = try? JSONValue(parsing: data),
              let manifest = TreeManifest(json: json) else { return nil }
        manifests[digest] = manifest
        return manifest
    }

    /// True when the manifest and every object it names are present and intact.
    public func isComplete(_ digest: Digest) -> Bool {
        let report = checkTree(digest)
        return report.missing.isEmpty && report.corrupt.isEmpty
    }

    /// Sorted relative paths of the regular files under `directory` (symlinks
    /// followed): how a user's input directory is hashed.
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

/// Parsed manifests shared by the copies of one `ObjectStore`.
final class ManifestMemo: @unchecked Sendable {
    private let lock = NSLock()
    private var byDigest: [Digest: TreeManifest] = [:]

    subscript(digest: Digest) -> TreeManifest? {
        get { lock.withLock { byDigest[digest] } }
        set { lock.withLock { byDigest[digest] = newValue } }
    }
}
