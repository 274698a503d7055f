import Foundation
import PipeCore

/// A remote cache's storage: immutable objects named by their SHA-256 and
/// small run records by task key. Backends move bytes; they never judge them
/// (`RemoteCache` verifies every download). Every method takes sets, so a
/// caller never loops per object; each backend batches its own way.
///
/// Layout, the same on S3 (under the prefix) and on a shared filesystem:
/// `objects/ab/cdef…` (one object), `runs/<key>.json` (one record).
public protocol RemoteStore: Sendable {
    /// `s3://bucket/prefix at http://127.0.0.1:9000`, for messages.
    var description: String { get }
    /// Checks, once at start, that the remote is reachable, exists and these
    /// credentials may read it; throws a one-line error naming the fix.
    func checkAccess() throws
    /// Checks these credentials may also write, leaving nothing behind;
    /// throws `.accessDenied` when they may not.
    func checkWrite() throws
    /// Those of `digests` the remote does not hold.
    func missing(_ digests: Set<Digest>) throws -> Set<Digest>
    /// Stores the local file `file` as object `digest` (its bytes must hash to it).
    func upload(_ digest: Digest, from file: String) throws
    /// Writes object `digest` to `file`, refusing more than `limit` bytes;
    /// returns the SHA-256 and size of what was written (the caller compares).
    /// Throws `.objectMissing` when it is gone.
    func download(_ digest: Digest, to file: String, limit: Int64) throws -> (digest: String, size: Int64)
    /// The bytes of the record for `key`, or nil when there is none.
    func record(_ key: Digest) throws -> Data?
    /// Publishes a record; call only once every object it names is stored.
    func publish(_ key: Digest, record: Data) throws
    /// Those of `keys` that have a record on the remote (batched like `missing`).
    func hasRecords(_ keys: Set<Digest>) throws -> Set<Digest>
    /// Every record key on the remote.
    func recordKeys() throws -> Set<Digest>
    /// Every object on the remote, with its size.
    func objects() throws -> [Digest: Int64]
}

/// Object and record names inside a remote.
enum RemoteLayout {
    static func object(_ digest: Digest) -> String { "objects/\(digest.hex.prefix(2))/\(digest.hex.dropFirst(2))" }
    static func record(_ key: Digest) -> String { "runs/\(key.hex).json" }

    /// The digest an object name stands for, or nil for anything else.
    static func digest(ofObject name: String) -> Digest? {
        let parts = name.split(separator: "/")
        guard parts.count == 3, parts[0] == "objects", parts[1].count == 2 else { return nil }
        return Digest(hex: String(parts[1] + parts[2]))
    }

    /// The key a record name stands for, or nil for anything else.
    static func key(ofRecord name: String) -> Digest? {
        guard name.hasPrefix("runs/"), name.hasSuffix(".json") else { return nil }
        return Digest(hex: String(name.dropFirst(5).dropLast(5)))
    }
}
