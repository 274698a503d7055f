import Foundation
import PipeCore

/// What evicting corrupt objects took with it.
public struct EvictionReport: Sendable {
    /// The corrupt objects removed.
    public var objects: [Digest] = []
    /// Run records removed: those that produced a corrupt object, and every
    /// result computed, directly or transitively, from one.
    public var records: [Digest] = []
}

extension Cache {
    /// The run record for `key`, served only if its output is intact: every
    /// object it names passes `ObjectStore.check` (an `lstat` each when
    /// unchanged), or is missing but held by the remote (`Cache+Remote.swift`:
    /// downloaded when read). A corrupt output is evicted with everything computed from
    /// it (`evictCorrupt`) and reported as `.evicted(reason: "corrupt output")`,
    /// so the task runs again; this never returns `.corrupt`. `signature`,
    /// when given, is the one whose key is `key` (`RunRecordStore.lookup`).
    public func lookup(_ key: Digest, signature: TaskSignature? = nil) -> RecordLookup {
        switch records.lookup(key, signature: signature) {
        case .corrupt(let record, let objects):
            evictCorrupt(Set(objects))
            return .evicted(reason: "corrupt output", record: record)
        case .miss:
            return remoteLookup(key) ?? .miss
        case .evicted(reason: "output", record: let record?) where isServedByRemote(record):
            return .hit(record)  // its bytes are on the remote, fetched when something reads them
        case let other:
            return other
        }
    }

    /// Evicts `corrupt` objects and every cached result that cannot be
    /// trusted because of them: the records whose output holds one (their
    /// producers), and every record that consumed one, directly, inside a
    /// tree, or through the output of a record evicted for consuming one,
    /// transitively. Views built from them are dropped; `runs/` folders are
    /// rebuilt by the next run (it checks their links). Results are recomputed
    /// by the next run that needs them. Records go first and the objects
    /// last, so a kill in between leaves the corrupt object to be found
    /// again, never a consumer record that outlives its eviction. With
    /// `removingObjects` false the objects stay (they were just replaced by
    /// good bytes, see `ingestOutput`).
    @discardableResult
    public func evictCorrupt(_ corrupt: Set<Digest>, removingObjects: Bool = true) -> EvictionReport {
        guard !corrupt.isEmpty else { return EvictionReport() }
        var trees = TreeIndex(objects: objects)
        let all = records.allKeys().compactMap(records.read)
        var tainted = corrupt  // artifacts computed from corrupt bytes (or corrupt themselves)
        var taintedTrees: [Set<Digest>] = []  // entry digests of those outputs, to spot them in fan-out trees
        var evicted = Set<Digest>()
        var changed = true
        while changed {
            changed = false
            for record in all where !evicted.contains(record.key) {
                let produced = corrupt.contains(record.output) || trees.holds(record.output, any: corrupt)
                let consumed = record.signature.inputs.values.contains { input in
                    tainted.contains(input) || trees.holds(input, any: corrupt)
                        || taintedTrees.contains { trees.holds(input, all: $0) }
                }
                guard produced || consumed else { continue }
                evicted.insert(record.key)
                records.remove(record.key)
                changed = true
                if consumed, tainted.insert(record.output).inserted, let entries = trees.entries(of: record.output) {
                    taintedTrees.append(entries)
                }
            }
        }
        removeViews { tainted.contains($0) || trees.holds($0, any: corrupt) }
        evictions.add(evicted)
        if removingObjects { corrupt.forEach(objects.evict) }
        return EvictionReport(objects: corrupt.sorted { $0.hex < $1.hex }, records: evicted.sorted { $0.hex < $1.hex })
    }

    /// Stores a task's output directory (`ObjectStore.ingestTree`). When an
    /// object already in the store under one of its files' digests turned
    /// out corrupt, the store replaced it with these good bytes; whatever was
    /// computed from the corrupt ones is evicted here, before the caller
    /// writes the record that names the output.
    public func ingestOutput(at directory: String, allowedRoots: [String]) throws -> TreeManifest {
        let replaced = ReplacedObjects()
        let manifest = try objects.ingestTree(at: directory, move: true, allowedRoots: allowedRoots, replaced: replaced)
        evictCorrupt(replaced.digests, removingObjects: false)
        return manifest
    }

    /// True when this process evicted the record of `key` because it was
    /// computed from corrupt bytes (a consumer, not the producer).
    public func wasEvictedAsTainted(_ key: Digest) -> Bool { evictions.contains(key) }

    /// Removes every view under `<cache>/views/` whose tree satisfies `condition`.
    func removeViews(where condition: (Digest) -> Bool) {
        for name in (try? FileManager.default.contentsOfDirectory(atPath: "\(root)/views")) ?? [] {
            if let digest = Digest(hex: name), condition(digest) { objects.removeView(of: digest) }
        }
    }
}

/// Keys evicted by `evictCorrupt` in this process.
final class EvictionLog: @unchecked Sendable {
    private let lock = NSLock()
    private var keys = Set<Digest>()

    func add(_ evicted: Set<Digest>) { lock.withLock { keys.formUnion(evicted) } }
    func contains(_ key: Digest) -> Bool { lock.withLock { keys.contains(key) } }
}

/// Entry digests of tree manifests, read once each.
private struct TreeIndex {
    let objects: ObjectStore
    private var cache: [Digest: Set<Digest>?] = [:]

    init(objects: ObjectStore) { self.objects = objects }

    mutating func entries(of tree: Digest) -> Set<Digest>? {
        if let known = cache[tree] { return known }
        let entries = objects.contains(tree) ? objects.manifest(tree).map { Set($0.entries.map(\.digest)) } : nil
        cache[tree] = entries
        return entries
    }

    /// True when `tree` is a manifest naming any of `digests`.
    mutating func holds(_ tree: Digest, any digests: Set<Digest>) -> Bool {
        entries(of: tree).map { !$0.isDisjoint(with: digests) } ?? false
    }

    /// True when `tree` is a manifest naming every one of `digests` (a
    /// fan-out tree that includes a whole task output).
    mutating func holds(_ tree: Digest, all digests: Set<Digest>) -> Bool {
        !digests.isEmpty && (entries(of: tree).map { digests.isSubset(of: $0) } ?? false)
    }
}
