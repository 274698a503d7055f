import Foundation
import PipeCache
import PipeCore

/// A remote cache as one command uses it: the store, what this machine knows
/// it holds, and the rules. Implements the cache's remote lookup (a local miss
/// asks here), and push, pull and status (`Transfer.swift`).
///
/// Every downloaded object is hashed as it is written and compared with its
/// name before it enters the local store; a mismatch is rejected and reported,
/// never stored. A lookup fetches the record and its output's manifest only;
/// a result whose objects cannot be fetched later is dropped and recomputed
/// (`Cache.bringLocal`).
public final class RemoteCache: RemoteRecordSource, @unchecked Sendable {
    /// Where the objects and records are.
    public let store: any RemoteStore
    /// Requests made, for `--stats`.
    public let stats: RemoteStats
    /// Pull only: `push` refuses.
    public let readOnly: Bool
    /// Transfers at once.
    public var width = 8
    let index: RemoteIndex
    private let absent = Locked<Set<Digest>>([])
    private let notes = Locked<[String]>([])
    private let fetchedKeys = Locked<Set<Digest>>([])
    private let lostKeys = Locked<Set<Digest>>([])
    private let rejectedObjects = Locked<Set<Digest>>([])
    private let failure = Locked<RemoteError?>(nil)

    /// An access or configuration error met during lookups (a 403, a bucket
    /// that vanished): lookups stopped, and the command must fail with it.
    public var fatal: RemoteError? { failure.withLock { $0 } }

    /// Results this command took from the remote (their records; the
    /// objects come when something reads them).
    public var fetched: Set<Digest> { fetchedKeys.withLock { $0 } }

    /// Results whose objects this command found missing on the remote: a
    /// push publishes them again, whatever the remote's listing says.
    var lostResults: Set<Digest> { lostKeys.withLock { $0 } }

    /// Objects this command downloaded and rejected as corrupt: a push overwrites them.
    var rejected: Set<Digest> { rejectedObjects.withLock { $0 } }

    /// Creates the remote cache of `store` for the local cache at `cacheRoot`.
    public init(store: any RemoteStore, stats: RemoteStats, cacheRoot: String, readOnly: Bool = false) {
        self.store = store
        self.stats = stats
        self.readOnly = readOnly
        index = RemoteIndex(cacheRoot: cacheRoot, remote: store.description)
    }

    /// Warnings gathered while fetching (rejected objects, records that
    /// named missing objects, lookups that failed), for the command to print.
    public var warnings: [String] { notes.withLock { $0 } }

    func warn(_ text: String) { notes.withLock { $0.append(text) } }

    // MARK: lookup

    public func fetchRecord(_ key: Digest, into cache: Cache) -> Bool {
        if absent.withLock({ $0.contains(key) }) || fatal != nil { return false }
        let record: RunRecord
        do {
            guard let data = try store.record(key) else {
                absent.withLock { _ = $0.insert(key) }
                return false
            }
            guard let json = try? JSONValue(parsing: data), let parsed = RunRecord(json: json), parsed.key == key else {
                warn("the remote record for \(key.short) is malformed; ignored, the task runs")
                absent.withLock { _ = $0.insert(key) }
                return false
            }
            record = parsed
        } catch let error as RemoteError where error.code == .accessDenied || error.code == .configuration {
            // Never a silent miss: remembered, and the command fails with it once the run ends.
            failure.withLock { $0 = $0 ?? error }
            return false
        } catch {
            warn("remote lookup of \(key.short) failed: \(error); the task runs locally")
            absent.withLock { _ = $0.insert(key) }
            return false
        }
        index.add(records: [key])
        do {
            try fetchObjects([record.output: Self.manifestLimit], into: cache)
            guard cache.objects.manifest(record.output) != nil else {
                throw RemoteError(.integrity, "object \(record.output.short) from \(store.description) is not a tree manifest")
            }
            try cache.records.write(record)
        } catch {
            warn("\(record.task): \((error as? RemoteError)?.message ?? "\(error)"); its record is ignored and the task runs")
            lost([key])
            return false
        }
        fetchedKeys.withLock { _ = $0.insert(key) }
        return true
    }

    public func holds(_ key: Digest) -> Bool {
        !absent.withLock { $0.contains(key) } && index.records.contains(key)
    }

    public func lost(_ keys: Set<Digest>) {
        absent.withLock { $0.formUnion(keys) }
        lostKeys.withLock { $0.formUnion(keys) }
        index.forget(records: keys)
    }

    /// Brings tree `digest` (its manifest, then every object it names, or
    /// only the entries at `paths`) into the local store, skipping what is
    /// already there and intact.
    public func fetchTree(_ digest: Digest, paths: Set<String>? = nil, into cache: Cache) throws {
        try fetchObjects([digest: Self.manifestLimit], into: cache)
        guard let manifest = cache.objects.manifest(digest) else {
            throw RemoteError(.integrity, "object \(digest.short) from \(store.description) is not a tree manifest")
        }
        var sizes: [Digest: Int64] = [:]
        for entry in manifest.entries where paths?.contains(entry.path) ?? true { sizes[entry.digest] = max(0, entry.size) }
        // The sizes come from the remote: a tree that cannot fit is refused before a byte is fetched.
        let needed = sizes.values.reduce(Int64(0)) { $0.addingReportingOverflow($1).overflow ? .max : $0 + $1 }
        if let free = Self.freeBytes(at: cache.root), needed > free {
            throw RemoteError(.integrity, "tree \(digest.short) from \(store.description) declares \(needed) bytes; "
                              + "only \(free) are free under \(cache.root)")
        }
        try fetchObjects(sizes, into: cache)
    }

    /// Bytes free to an unprivileged writer on the filesystem holding `path`; nil when unknown.
    static func freeBytes(at path: String) -> Int64? {
        var info = statvfs()
        guard statvfs(path, &info) == 0 else { return nil }
        let (bytes, overflow) = Int64(info.f_bavail).multipliedReportingOverflow(by: Int64(info.f_frsize))
        return overflow ? .max : bytes
    }

    /// The largest tree manifest a remote may send (a manifest lists paths and digests: 64 MiB is ~500,000 files).
    static let manifestLimit: Int64 = 64 << 20

    /// Downloads those of `digests` that are not intact locally, in parallel,
    /// each refused beyond its expected size and verified before it is stored.
    /// Throws the first failure after all transfers ended (`.objectMissing`
    /// first, so the caller recomputes).
    public func fetchObjects(_ digests: [Digest: Int64], into cache: Cache) throws {
        let wanted = digests.keys.sorted()
        let report = cache.objects.check(wanted)
        let needed = report.missing + report.corrupt
        guard !needed.isEmpty else { return }
        let scratch = try cache.makeScratchDirectory(label: "pull")
        defer { cache.removeScratch(scratch) }
        let outcomes = ParallelWork.map(needed, width: width) { digest in
            Result { try self.download(digest, limit: digests[digest] ?? 0, into: cache, scratch: scratch) }
        }
        let failures = outcomes.compactMap { outcome -> Error? in
            if case .failure(let error) = outcome { return error }
            return nil
        }
        if let missing = failures.first(where: { ($0 as? RemoteError)?.code == .objectMissing }) { throw missing }
        if let first = failures.first { throw first }
    }

    private func download(_ digest: Digest, limit: Int64, into cache: Cache, scratch: String) throws {
        let temp = "\(scratch)/\(digest.hex)"
        defer { unlink(temp) }
        let got: (digest: String, size: Int64)
        do { got = try store.download(digest, to: temp, limit: limit) } catch let error as RemoteError where error.code == .objectMissing {
            index.forget(object: digest)
            throw error
        } catch let error as RemoteError where error.code == .integrity {
            index.forget(object: digest)
            rejectedObjects.withLock { _ = $0.insert(digest) }
            let text = "object \(digest.short) from \(store.description): \(error.message); rejected"
            warn(text)
            throw RemoteError(.integrity, text)
        }
        guard got.digest == digest.hex else {
            index.forget(object: digest)
            rejectedObjects.withLock { _ = $0.insert(digest) }
            let text = "object \(digest.short) from \(store.description) has the digest \(got.digest.prefix(12)) "
                + "(\(got.size) bytes): corrupt on the remote; rejected"
            warn(text)
            throw RemoteError(.integrity, text)
        }
        let entry = try cache.objects.ingestFile(at: temp, relativePath: digest.hex, move: true)
        guard entry.digest == digest else {
            throw RemoteError(.integrity, "object \(digest.short) changed while it was being stored; rejected")
        }
        index.add(objects: [digest])
    }
}

extension RemoteCache {
    /// Checks, before a command that would push does anything, that these
    /// credentials may write to the remote; once per machine (remembered in
    /// the index, forgotten when a push is refused). A read-only remote
    /// (`cache.read_only`) is not checked: it never pushes.
    public func checkWrite() throws {
        guard !readOnly, !index.writable else { return }
        do {
            try store.checkWrite()
        } catch let error as RemoteError where error.code == .accessDenied {
            throw RemoteError(.accessDenied, "remote cache \(store.description): these credentials may read it but not "
                              + "write to it; grant them s3:PutObject there, or set \"read_only\": true under \"cache\" "
                              + "in pipe.json to reuse results without pushing")
        }
        index.setWritable(true)
    }

    /// Forgets what this machine remembers the remote holds (`pipe push --refresh`).
    public func forgetIndex() { index.reset() }
}
