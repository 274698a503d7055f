import Foundation
import PipeCore

/// What checking some objects found.
public struct IntegrityReport: Sendable {
    /// Objects that are not in the store.
    public var missing: [Digest] = []
    /// Objects whose bytes no longer match their name (or that are not regular files).
    public var corrupt: [Digest] = []
    /// The stamps of the intact objects as they were checked, for `restamp`.
    var checked: [Digest: ObjectStamp] = [:]

    public var isIntact: Bool { missing.isEmpty && corrupt.isEmpty }
}

extension ObjectStore {
    /// Checks objects before they are used: one `lstat` each, compared with
    /// the stamp recorded when the object was stored or last checked. Only an
    /// object whose stamp differs is re-hashed; if its bytes still match its
    /// name (a chmod, a link made or removed) it is made read-only again and
    /// re-stamped, otherwise it is reported corrupt. Nothing is evicted here.
    public func check(_ digests: some Sequence<Digest>) -> IntegrityReport {
        let unique = Array(Set(digests))
        let known = ledger?.objectStamps(unique) ?? [:]
        var report = IntegrityReport()
        var restamped: [Digest: ObjectStamp] = [:]
        for digest in unique {
            let file = path(of: digest)
            guard let now = ObjectStamp(path: file) else {
                if FileSystem.exists(file) { report.corrupt.append(digest) } else { report.missing.append(digest) }
                continue
            }
            if known[digest] == now {
                report.checked[digest] = now
                continue
            }
            guard (try? StreamingHasher.digest(ofFileAt: file)) == digest else {
                report.corrupt.append(digest)
                continue
            }
            makeReadOnly(file)
            guard let after = ObjectStamp(path: file), after.sameContentAs(now) else {
                report.corrupt.append(digest)  // written to while we hashed it
                continue
            }
            report.checked[digest] = after
            restamped[digest] = after
        }
        ledger?.rememberObjectStamps(restamped)
        return report
    }

    /// Checks the tree `digest`: its manifest and every object it names, with
    /// one read of their stamps.
    public func checkTree(_ digest: Digest) -> IntegrityReport {
        guard let manifest = manifest(digest) else {
            var report = check([digest])
            if report.isIntact { report.corrupt.append(digest) }  // an object, but not a manifest: not what a record names
            return report
        }
        return check([digest] + manifest.entries.map(\.digest))
    }

    /// Records the current stamps of objects whose bytes are known good
    /// (just written, or just hashed).
    func stamp(_ digests: [Digest]) {
        var stamps: [Digest: ObjectStamp] = [:]
        for digest in digests { stamps[digest] = ObjectStamp(path: path(of: digest)) }
        ledger?.rememberObjectStamps(stamps)
    }

    /// The current stamps of those `digests` whose stamp is unchanged since
    /// it was recorded (nothing is hashed): what `restamp` needs around an
    /// operation of pipe's own that links or unlinks many objects.
    func unchangedStamps(_ digests: some Sequence<Digest>) -> [Digest: ObjectStamp] {
        let unique = Array(Set(digests))
        let known = ledger?.objectStamps(unique) ?? [:]
        var result: [Digest: ObjectStamp] = [:]
        for digest in unique {
            if let stamp = known[digest], ObjectStamp(path: path(of: digest)) == stamp { result[digest] = stamp }
        }
        return result
    }

    /// After pipe itself linked or unlinked objects it had just checked
    /// (`checked`), records their new stamps: only the change time moved.
    /// An object whose size or mtime moved meanwhile keeps its old stamp, so
    /// its next use re-hashes it.
    func restamp(_ checked: [Digest: ObjectStamp]) {
        var stamps: [Digest: ObjectStamp] = [:]
        for (digest, before) in checked {
            if let now = ObjectStamp(path: path(of: digest)), now != before, now.sameContentAs(before) { stamps[digest] = now }
        }
        ledger?.rememberObjectStamps(stamps)
    }

    /// Removes the object `digest` because its bytes may no longer match its
    /// name. Views and run records built on it are `Cache.evictCorrupt`'s job.
    public func evict(_ digest: Digest) {
        unlink(path(of: digest))
        manifests[digest] = nil
        ledger?.forgetObjectStamps([digest])
    }

    private func makeReadOnly(_ file: String) {
        var info = stat()
        if lstat(file, &info) == 0, info.st_mode & 0o7777 != 0o444 { chmod(file, 0o444) }
    }
}
