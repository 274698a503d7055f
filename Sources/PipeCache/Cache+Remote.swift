import Foundation
import PipeCore

/// What the cache asks a remote (PipeRemote implements it): the engine
/// consults local first, then this, and never knows which answered.
///
/// Downloads are lazy. A lookup brings only the run record and its output's
/// tree manifest: enough to decide the hit and to key the consumers. The
/// objects stay on the remote until a task that must run reads them
/// (`Cache.bringLocal`) or the user pulls them.
public protocol RemoteRecordSource: Sendable {
    /// Looks `key` up on the remote: true when its record and its output's
    /// tree manifest are now in `cache` (verified on the way in); false is a
    /// miss, also when the remote lost the manifest.
    func fetchRecord(_ key: Digest, into cache: Cache) -> Bool
    /// Whether the remote is known to hold result `key`: its record, hence
    /// every object it names (records are pushed last). Answered from what
    /// this machine remembers, without a request.
    func holds(_ key: Digest) -> Bool
    /// Downloads the objects of tree `digest` (its manifest is local) that
    /// are not intact locally, each verified; `paths` limits it to those
    /// entries. Throws when some cannot be had (gone, corrupt, unreachable).
    func fetchTree(_ digest: Digest, paths: Set<String>?, into cache: Cache) throws
    /// Results whose objects the remote turned out not to have: from now on
    /// they are misses, and a push uploads them again once recomputed.
    func lost(_ keys: Set<Digest>)
}

/// The remote a cache consults on a local miss, if any (set once per command).
public final class RemoteSlot: @unchecked Sendable {
    private let lock = NSLock()
    private var current: (any RemoteRecordSource)?
    private var lostKeys = Set<Digest>()
    /// Held while a tree is downloaded (`Cache.bringLocal`).
    let downloads = NSLock()

    init() {}

    /// The remote consulted on a miss; nil when local-only.
    public var source: (any RemoteRecordSource)? {
        get { lock.withLock { current } }
        set { lock.withLock { current = newValue } }
    }

    /// Takes the keys of the results dropped since the last call because
    /// their bytes could not be downloaded: a run that met some must run
    /// again to recompute them.
    public func takeLost() -> Set<Digest> {
        lock.withLock {
            defer { lostKeys = [] }
            return lostKeys
        }
    }

    func noteLost(_ keys: Set<Digest>) { lock.withLock { lostKeys.formUnion(keys) } }
}

extension Cache {
    /// A local miss, looked up on the remote: a remote hit leaves the record
    /// and its output's manifest in the local store; the objects stay remote.
    func remoteLookup(_ key: Digest) -> RecordLookup? {
        guard let source = remote.source, source.fetchRecord(key, into: self) else { return nil }
        switch records.lookup(key) {
        case .hit(let record): return .hit(record)
        case .evicted(reason: "output", record: let record?) where objects.manifest(record.output) != nil:
            return .hit(record)
        default: return nil
        }
    }

    /// Whether `record`, whose output objects are not all local, is still a
    /// hit because the remote holds them (no request: see `holds`).
    func isServedByRemote(_ record: RunRecord) -> Bool {
        guard let source = remote.source, objects.manifest(record.output) != nil else { return false }
        return source.holds(record.key)
    }

    /// Makes tree `digest` (or only its entries at `paths`) intact locally,
    /// downloading what is missing from the remote. When that fails, every
    /// local record whose output names a missing object is dropped (so the
    /// task is recomputed, see `RemoteSlot.takeLost`) and the error says so.
    public func bringLocal(_ digest: Digest, paths: Set<String>? = nil) throws {
        guard missingObjects(digest, paths: paths) != nil else { return }
        // One download at a time: tasks reading the same input wait for it rather than fetch it twice.
        remote.downloads.lock()
        defer { remote.downloads.unlock() }
        guard let missing = missingObjects(digest, paths: paths) else { return }
        var failure = "no remote cache is configured"
        if let source = remote.source {
            do {
                try source.fetchTree(digest, paths: paths, into: self)
                return
            } catch { failure = "\(error)" }
        }
        let gone = missingObjects(digest, paths: paths) ?? missing
        var dropped = Set<Digest>()
        for key in records.allKeys() {
            guard let record = records.read(key) else { continue }
            let names = [record.output] + (objects.manifest(record.output)?.entries.map(\.digest) ?? [])
            if names.contains(where: gone.contains) {
                records.remove(key)
                dropped.insert(key)
            }
        }
        remote.source?.lost(dropped)
        remote.noteLost(dropped)
        throw CacheError("\(gone.count) object\(gone.count == 1 ? "" : "s") of artifact \(digest.short) could not be "
                         + "downloaded (\(failure)); the \(dropped.count) result\(dropped.count == 1 ? "" : "s") "
                         + "naming them will be recomputed")
    }

    /// The objects of tree `digest` (restricted to `paths`) not present
    /// locally, the manifest included; nil when none is missing.
    private func missingObjects(_ digest: Digest, paths: Set<String>?) -> Set<Digest>? {
        guard let manifest = objects.manifest(digest) else { return [digest] }
        let wanted = manifest.entries.filter { paths?.contains($0.path) ?? true }.map(\.digest)
        let missing = objects.check(wanted).missing
        return missing.isEmpty ? nil : Set(missing)
    }
}

extension Cache {
    /// Every object in the local store.
    public func objectDigests() -> [Digest] { allObjects().map(\.digest) }
}
