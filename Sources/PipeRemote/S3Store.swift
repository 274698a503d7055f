import Foundation
import PipeCore

/// A remote cache in an S3 bucket under a prefix.
public struct S3Store: RemoteStore {
    /// The client (its `stats` count every request).
    public let client: S3Client
    /// The key prefix, without slashes at either end ("" for the bucket root).
    public let prefix: String
    /// Up to this many objects, existence is checked by one HEAD each; above
    /// it, by listing `objects/` (1000 keys per request).
    public var headLimit = 16
    /// Transfers at once.
    public var width = 8

    /// Creates a store.
    public init(client: S3Client, prefix: String) {
        self.client = client
        self.prefix = prefix
    }

    public var description: String {
        "s3://\(client.bucket)\(prefix.isEmpty ? "" : "/\(prefix)") at \(client.endpointDescription)"
    }

    func key(_ name: String) -> String { prefix.isEmpty ? name : "\(prefix)/\(name)" }

    /// Lists at most one key under the prefix (no trailing `/`: one request on every S3 dialect).
    public func checkAccess() throws { try client.checkAccess(prefix: prefix) }

    /// Starts and aborts a multipart upload under the prefix (nothing is left behind).
    public func checkWrite() throws { try client.checkWrite(prefix: prefix) }

    /// Chooses by count, as DVC does: up to `headLimit` digests, one HEAD each.
    /// Above it, one LIST page of `objects/` (1000 keys, in key order); if the
    /// remote holds no more, that page answers everything. Otherwise the page
    /// decides the digests up to its last key, estimates the remote's size from
    /// how far into the key space it reached, and lists on while that costs fewer
    /// requests than one HEAD per remaining digest.
    public func missing(_ digests: Set<Digest>) throws -> Set<Digest> {
        guard !digests.isEmpty else { return [] }
        guard digests.count > headLimit else { return try headMissing(digests) }
        let base = key("objects/")
        var present = Set<Digest>()
        var token: String?
        var undecided = digests
        repeat {
            let page = try client.listPage(prefix: base, token: token)
            for (name, _) in page.keys {
                if let digest = RemoteLayout.digest(ofObject: "objects/" + name.dropFirst(base.count)) { present.insert(digest) }
            }
            token = page.isTruncated ? page.nextToken : nil
            guard token != nil, let last = page.keys.last?.key,
                  let lastDigest = RemoteLayout.digest(ofObject: "objects/" + last.dropFirst(base.count)) else {
                undecided = []
                break
            }
            undecided = undecided.filter { $0 > lastDigest }
            // Keys are spread evenly over the hex space: the fraction covered estimates the pages left.
            let covered = max(1e-6, Double(UInt32(lastDigest.hex.prefix(6), radix: 16) ?? 1) / Double(0xFFFFFF))
            let pagesLeft = Double(page.keys.count) / covered / 1000 * (1 - covered)
            if Double(undecided.count) < pagesLeft { break }
        } while token != nil
        let decided = digests.subtracting(undecided)
        return decided.subtracting(present).union(try headMissing(undecided))
    }

    private func headMissing(_ digests: Set<Digest>) throws -> Set<Digest> {
        let list = Array(digests)
        let found = ParallelWork.map(list, width: width) { digest in
            Result { try client.head(key(RemoteLayout.object(digest))) != nil }
        }
        var missing = Set<Digest>()
        for (digest, result) in zip(list, found) where !(try result.get()) { missing.insert(digest) }
        return missing
    }

    public func hasRecords(_ keys: Set<Digest>) throws -> Set<Digest> {
        guard !keys.isEmpty else { return [] }
        if keys.count > headLimit { return keys.intersection(try recordKeys()) }
        let list = Array(keys)
        let found = ParallelWork.map(list, width: width) { digest in
            Result { try client.head(key(RemoteLayout.record(digest))) != nil }
        }
        var present = Set<Digest>()
        for (digest, result) in zip(list, found) where try result.get() { present.insert(digest) }
        return present
    }

    public func upload(_ digest: Digest, from file: String) throws {
        try client.upload(key(RemoteLayout.object(digest)), file: file, expected: digest.hex)
    }

    public func download(_ digest: Digest, to file: String, limit: Int64) throws -> (digest: String, size: Int64) {
        do {
            return try client.download(key(RemoteLayout.object(digest)), to: file, limit: limit)
        } catch let error as RemoteError where error.code == .notFound {
            throw RemoteError(.objectMissing, "object \(digest.short) is gone from \(description)")
        }
    }

    public func record(_ key: Digest) throws -> Data? { try client.getData(self.key(RemoteLayout.record(key))) }

    public func publish(_ key: Digest, record: Data) throws {
        try client.put(self.key(RemoteLayout.record(key)), body: record, contentType: "application/json")
    }

    public func recordKeys() throws -> Set<Digest> {
        let base = key("runs/")
        return Set(try client.list(prefix: base).keys.compactMap { RemoteLayout.key(ofRecord: "runs/" + $0.dropFirst(base.count)) })
    }

    public func objects() throws -> [Digest: Int64] {
        let base = key("objects/")
        var result: [Digest: Int64] = [:]
        for (name, size) in try client.list(prefix: base) {
            if let digest = RemoteLayout.digest(ofObject: "objects/" + name.dropFirst(base.count)) { result[digest] = size }
        }
        return result
    }
}
