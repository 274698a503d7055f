import Foundation
import PipeCache
import PipeCore

/// A remote cache as one command uses it: the store, what this machine knows
/// it holds, and the rules. Implements the cache's remote lookup (a local miss
/// asks here), and push, pull and status (`Transfer.swift`).
///
/// Every downloaded object is hashed as it is written and compared with its
/// name before it enters the local store; a mismatch is rejected and reported,
/// never stored. A record whose objects cannot all be fetched is a miss: the
/// task runs.
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
    private let failure = Locked<RemoteError?>(nil)

    /// An access or configuration error met during lookups (a 403, a bucket
    /// that vanished): lookups stopped, and the command must fail with it.
    public var fatal: RemoteError? { failure.withLock { $0 } }

    /// Results this command took from the remote (record and objects fetched).
    public var fetched: Set<Digest> { fetchedKeys.withLock { $0 } }

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

    public func fetch(_ key: Digest, into cache: Cache) -> RemoteFetch? {
        if absent.withLock({ $0.contains(key) }) || fatal != nil { return nil }
        let record: RunRecord
        do {
            guard let data = try store.record(key) else {
                absent.withLock { _ = $0.insert(key) }
                return nil
            }
            guard let json = try? JSONValue(parsing: data), let parsed = RunRecord(json: json), parsed.key == key else {
                warn("the remote record for \(key.short) is malformed; ignored, the task runs")
                absent.withLock { _ = $0.insert(key) }
                return nil
            }
            record = parsed
        } catch let error as RemoteError where error.code == .accessDenied || error.code == .configuration {
            // Never a silent miss: remembered, and the command fails with it once the run ends.
            failure.withLock { $0 = $0 ?? error }
            return nil
        } catch {
            warn("remote lookup of \(key.short) failed: \(error); the task runs locally")
            absent.withLock { _ = $0.insert(key) }
            return nil
        }
        index.add(records: [key])
        do {
            try fetchTree(record.output, into: cache)
        } catch let error as RemoteError where error.code == .objectMissing {
            warn("\(record.task): \(error.message); its record is ignored and the task runs")
            return nil
        } catch {
            warn("\(record.task): \(error); the task runs")
            return nil
        }
        do { try cache.records.write(record) } catch {
            warn("\(record.task): cannot store the remote record locally: \(error)")
            return nil
        }
        fetchedKeys.withLock { _ = $0.insert(key) }
        return .fetched
    }

    /// Brings tree `digest` (its manifest, then every object it names) into
    /// the local store, skipping what is already there and intact.
    public func fetchTree(_ digest: Digest, into cache: Cache) throws {
        try fetchObjects([digest: Self.manifestLimit], into: cache)
        guard let manifest = cache.objects.manifest(digest) else {
            throw RemoteError(.integrity, "object \(digest.short) from \(store.description) is not a tree manifest")
        }
        var sizes: [Digest: Int64] = [:]
        for entry in manifest.entries { sizes[entry.digest] = max(0, entry.size) }
        try fetchObjects(sizes, into: cache)
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
            let text = "object \(digest.short) from \(store.description): \(error.message); rejected"
            warn(text)
            throw RemoteError(.integrity, text)
        }
        guard got.digest == digest.hex else {
            index.forget(object: digest)
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
    /// Forgets what this machine remembers the remote holds (`pipe push --refresh`).
    public func forgetIndex() { index.reset() }
}
