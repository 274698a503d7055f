import Foundation
import PipeCore

extension Cache {
    /// For each request (a key and the signature it was computed from), its
    /// record when that result is here and intact, else nil. The records are
    /// read on every core and the objects they name are checked together,
    /// with one read of their stamps (`ObjectStore.check`), where `lookup`
    /// reads stamps once per key: what a run asks first of a stage whose
    /// tasks are mostly reused. Nothing is evicted or removed here: a key
    /// answered nil is left to `lookup`, which evicts what is corrupt,
    /// explains what is missing and asks the remote cache.
    public func intactRecords(_ requests: [(key: Digest, signature: TaskSignature)]) -> [RunRecord?] {
        guard !requests.isEmpty else { return [] }
        let found = readRecordsWithObjects(requests)
        let intact = objects.check(found.lazy.compactMap { $0 }.flatMap(\.objects)).checked
        return found.map { entry in
            guard let entry, entry.objects.allSatisfy({ intact[$0] != nil }) else { return nil }
            return entry.record
        }
    }

    /// Each request's record and the objects its output names (the manifest
    /// first), or nil when the record or the manifest cannot be read.
    private func readRecordsWithObjects(_ requests: [(key: Digest, signature: TaskSignature)])
        -> [(record: RunRecord, objects: [Digest])?] {
        requests.concurrentMap { key, signature -> (record: RunRecord, objects: [Digest])? in
            guard let record = records.readMatching(key, signature: signature),
                  let manifest = objects.manifest(record.output) else { return nil }
            return (record, [record.output] + manifest.entries.map(\.digest))
        }
    }
}
