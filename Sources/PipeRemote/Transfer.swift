import Foundation
import PipeCache
import PipeCore

/// What a push did.
public struct PushReport: Sendable {
    /// Records published.
    public var records = 0
    /// Records the remote already had (by this machine's index or its listing).
    public var alreadyThere = 0
    /// Objects uploaded, and their bytes.
    public var objects = 0
    public var bytes: Int64 = 0
    /// Records not pushed, with the reason (a local object corrupt or missing, an upload that failed).
    public var skipped: [String] = []
}

/// What a pull did.
public struct PullReport: Sendable {
    /// Records now local, of those asked for.
    public var records = 0
    /// Records that could not be fetched, with the reason.
    public var failed: [String] = []
}

/// Local and remote side by side (`pipe cache status --remote`).
public struct RemoteStatus: Sendable {
    public var localOnlyRecords = 0, remoteOnlyRecords = 0, bothRecords = 0
    public var localOnlyObjects = 0, remoteOnlyObjects = 0, bothObjects = 0
    public var remoteBytes: Int64 = 0
}

extension RemoteCache {
    /// Pushes the results `keys` (default: every local record): finds which
    /// objects the remote lacks in one batched check, uploads them (each
    /// carrying its SHA-256, at most `width` at once), and publishes each
    /// record only after every object it names is stored. Interrupted at any
    /// point, the remote holds at worst objects no record names yet.
    public func push(_ cache: Cache, keys: [Digest]? = nil) throws -> PushReport {
        guard !readOnly else {
            throw RemoteError(.configuration, "the remote \(store.description) is read-only here (cache.read_only); "
                              + "push from a machine allowed to write")
        }
        var report = PushReport()
        let all = Set(keys ?? cache.records.allKeys())
        var unknown = all.subtracting(index.records)
        // A record whose objects turned out gone is published again with them, whatever the listing says.
        let present = try store.hasRecords(unknown.subtracting(lostResults))
        index.add(records: present)
        unknown.subtract(present)
        let candidates = unknown.sorted()
        report.alreadyThere = all.count - candidates.count
        var pending: [(RunRecord, Set<Digest>)] = []
        for key in candidates {
            guard case .hit(let record) = cache.lookup(key), let manifest = cache.objects.manifest(record.output) else {
                report.skipped.append("\(key.short): its output is not intact locally; run again to recompute it")
                continue
            }
            pending.append((record, Set(manifest.entries.map(\.digest)).union([record.output])))
        }
        let needed = pending.reduce(into: Set<Digest>()) { $0.formUnion($1.1) }.subtracting(index.objects)
        // An object rejected as corrupt on download is there but wrong: overwritten.
        let missing = (needed.isEmpty ? [] : try store.missing(needed)).union(needed.intersection(rejected))
        index.add(objects: needed.subtracting(missing))
        let uploads = missing.sorted()
        let outcomes = ParallelWork.map(uploads, width: width) { digest -> Result<Int64, Error> in
            Result {
                let file = cache.objects.path(of: digest)
                try self.store.upload(digest, from: file)
                self.index.add(objects: [digest])
                var info = stat()
                return stat(file, &info) == 0 ? Int64(info.st_size) : 0
            }
        }
        var failed: [Digest: Error] = [:]
        for (digest, outcome) in zip(uploads, outcomes) {
            switch outcome {
            case .success(let size):
                report.objects += 1
                report.bytes += size
            case .failure(let error): failed[digest] = error
            }
        }
        if let error = failed.values.first as? RemoteError, error.code == .accessDenied || error.code == .configuration {
            index.setWritable(false)  // the next command checks again at start
            throw error  // nothing will get through: say why once
        }
        for (record, objects) in pending {
            if let bad = objects.first(where: { failed[$0] != nil }) {
                report.skipped.append("\(record.task): object \(bad.short) did not upload (\(failed[bad]!)); record not published")
                continue
            }
            try store.publish(record.key, record: Data(record.json.prettyString.utf8))
            index.add(records: [record.key])
            report.records += 1
        }
        return report
    }

    /// Pulls the results `keys` (default: every record on the remote) with
    /// all their objects into the local store, verified.
    public func pull(_ cache: Cache, keys: [Digest]? = nil) throws -> PullReport {
        let wanted = try keys ?? store.recordKeys().sorted()
        var report = PullReport()
        for key in wanted {
            let known = cache.records.read(key) != nil || fetchRecord(key, into: cache)
            guard known, let record = cache.records.read(key) else {
                report.failed.append("\(key.short): \(warnings.last ?? "no such record on the remote")")
                continue
            }
            do {
                try fetchTree(record.output, into: cache)
                report.records += 1
            } catch {
                report.failed.append("\(record.task): \((error as? RemoteError)?.message ?? "\(error)")")
            }
        }
        return report
    }

    /// What is local, remote, and both.
    public func status(_ cache: Cache) throws -> RemoteStatus {
        let remoteRecords = try store.recordKeys()
        let remoteObjects = try store.objects()
        let localRecords = Set(cache.records.allKeys())
        let localObjects = Set(cache.objectDigests())
        var status = RemoteStatus()
        status.bothRecords = localRecords.intersection(remoteRecords).count
        status.localOnlyRecords = localRecords.count - status.bothRecords
        status.remoteOnlyRecords = remoteRecords.count - status.bothRecords
        status.bothObjects = localObjects.intersection(remoteObjects.keys).count
        status.localOnlyObjects = localObjects.count - status.bothObjects
        status.remoteOnlyObjects = remoteObjects.count - status.bothObjects
        status.remoteBytes = remoteObjects.values.reduce(0, +)
        index.add(objects: remoteObjects.keys, records: remoteRecords)
        return status
    }
}
