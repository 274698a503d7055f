import Foundation
import PipeCore

/// What the cache asks a remote (PipeRemote implements it): the engine
/// consults local first, then this, and never knows which answered.
public protocol RemoteRecordSource: Sendable {
    /// Looks `key` up on the remote. `.fetched` means the record and every
    /// object of its output are now in `cache` (verified on the way in); nil
    /// is a miss, also when the record names objects the remote no longer has.
    /// Planning fetches too: consumers are listed and keyed from the bytes.
    func fetch(_ key: Digest, into cache: Cache) -> RemoteFetch?
}

/// What a remote lookup brought.
public enum RemoteFetch: Sendable {
    /// The record and its objects are now local: look it up again.
    case fetched
}

/// The remote a cache consults on a local miss, if any (set once per command).
public final class RemoteSlot: @unchecked Sendable {
    private let lock = NSLock()
    private var current: (any RemoteRecordSource)?

    init() {}

    /// The remote consulted on a miss; nil when local-only.
    public var source: (any RemoteRecordSource)? {
        get { lock.withLock { current } }
        set { lock.withLock { current = newValue } }
    }
}

extension Cache {
    /// A local miss, looked up on the remote: a remote hit leaves the record
    /// and its objects in the local store, checked as any local record is.
    func remoteLookup(_ key: Digest) -> RecordLookup? {
        guard let source = remote.source, let found = source.fetch(key, into: self) else { return nil }
        switch found {
        case .fetched:
            if case .hit(let record) = records.lookup(key) { return .hit(record) }
            return nil
        }
    }
}

extension Cache {
    /// Every object in the local store.
    public func objectDigests() -> [Digest] { allObjects().map(\.digest) }
}
