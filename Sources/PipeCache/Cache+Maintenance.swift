import Foundation
import PipeCore

/// Sizes for `pipe cache status`.
public struct CacheStatus: Sendable {
    public var root: String
    public var objectCount: Int
    public var objectBytes: Int64
    public var recordCount: Int
    public var runCount: Int
    public var reclaimableBytes: Int64
}

/// What `pipe cache gc` removed.
public struct CollectionReport: Sendable {
    public var removedObjects: Int
    public var removedRecords: Int
    public var freedBytes: Int64
}

/// What `pipe cache verify` found.
public struct VerifyReport: Sendable {
    public var checkedObjects: Int
    /// Paths of objects whose bytes no longer matched their name; they were removed.
    public var corruptObjects: [String]
    /// Records that were unreadable, referenced missing objects, or produced
    /// or consumed (transitively) a corrupt object; they were removed.
    public var brokenRecords: [String]
}

extension Cache {
    /// Every object file in the store, with its digest and size.
    func allObjects() -> [(digest: Digest, path: String, size: Int64)] {
        var result: [(Digest, String, Int64)] = []
        let top = "\(root)/objects"
        for prefix in (try? FileManager.default.contentsOfDirectory(atPath: top)) ?? [] {
            for rest in (try? FileManager.default.contentsOfDirectory(atPath: "\(top)/\(prefix)")) ?? [] {
                guard let digest = Digest(hex: prefix + rest) else { continue }
                let path = "\(top)/\(prefix)/\(rest)"
                var info = stat()
                stat(path, &info)
                result.append((digest, path, Int64(info.st_size)))
            }
        }
        return result
    }

    /// Objects reachable from the records of `keys`: each output manifest and the files it names.
    func reachableObjects(from keys: Set<Digest>) -> Set<Digest> {
        var live = Set<Digest>()
        for key in keys {
            guard let record = records.read(key) else { continue }
            live.insert(record.output)
            objects.manifest(record.output)?.entries.forEach { live.insert($0.digest) }
        }
        return live
    }

    public func status() throws -> CacheStatus {
        let all = allObjects()
        let live = reachableObjects(from: try database.keysOfLatestRuns())
        return CacheStatus(root: root, objectCount: all.count, objectBytes: all.reduce(0) { $0 + $1.size },
                           recordCount: records.allKeys().count, runCount: try database.runs().count,
                           reclaimableBytes: all.filter { !live.contains($0.digest) }.reduce(0) { $0 + $1.size })
    }

    /// Removes every object and record that no pipeline's latest run references,
    /// plus derived views, abandoned scratch directories and stale task state.
    /// Holds the cache's exclusive lock so no run is in flight meanwhile.
    public func collectGarbage() throws -> CollectionReport {
        let lock = try CacheLock.exclusive(root: root)
        defer { lock.release() }
        var keep = try database.keysOfLatestRuns()
        // A record no latest run lists but computed after its pipeline's latest finished run
        // began: a later run finished it and was killed before its history batch (or before
        // its run row) was written. Keep it, so the rerun reuses it; the pipeline's next
        // finished run lists it or lets it go.
        let finishedRunStarts = try database.latestFinishedRunStarts()
        var removedRecords = 0
        for key in records.allKeys() where !keep.contains(key) {
            if let record = records.read(key), record.started >= finishedRunStarts[record.pipeline] ?? .distantPast {
                keep.insert(key)
                continue
            }
            records.remove(key)
            removedRecords += 1
        }
        let live = reachableObjects(from: keep)
        var removedObjects = 0
        var freed: Int64 = 0
        for object in allObjects() where !live.contains(object.digest) {
            if unlink(object.path) == 0 {
                removedObjects += 1
                freed += object.size
            }
        }
        // Removing the views unlinks a hard link to every object they show, which
        // moves the objects' change times: keep the stamps of those that were intact.
        let unchanged = objects.unchangedStamps(live)
        FileSystem.removeTree("\(root)/views")
        FileSystem.removeTree("\(root)/tmp")
        objects.restamp(unchanged)
        removeStaleState(olderThan: 14 * 86_400)
        return CollectionReport(removedObjects: removedObjects, removedRecords: removedRecords, freedBytes: freed)
    }

    /// Removes state directories of tasks that have since completed, and those
    /// untouched for `seconds` (an interrupted run nobody resumed).
    func removeStaleState(olderThan seconds: TimeInterval) {
        let top = "\(root)/state"
        for name in (try? FileManager.default.contentsOfDirectory(atPath: top)) ?? [] {
            let path = "\(top)/\(name)"
            let modified = (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date
            let done = Digest(hex: name).map { records.read($0) != nil } ?? true
            if done || Date().timeIntervalSince(modified ?? .distantPast) > seconds { FileSystem.removeTree(path) }
        }
    }

    /// Re-hashes every object, whatever its stamp; evicts those whose content
    /// changed together with every record that produced or consumed them,
    /// transitively (`evictCorrupt`), and the records that can no longer be
    /// trusted, so the next run recomputes them. Intact objects are made
    /// read-only again and re-stamped.
    public func verify(progress: (Int, Int) -> Void = { _, _ in }) throws -> VerifyReport {
        let all = allObjects()
        var corrupt = Set<Digest>(), good: [Digest] = []
        for (index, object) in all.enumerated() {
            progress(index + 1, all.count)
            if ObjectStamp(path: object.path) != nil, (try? StreamingHasher.digest(ofFileAt: object.path)) == object.digest {
                good.append(object.digest)
                if let mode = try? FileManager.default.attributesOfItem(atPath: object.path)[.posixPermissions] as? Int,
                   mode != 0o444 { chmod(object.path, 0o444) }
            } else {
                corrupt.insert(object.digest)
            }
        }
        objects.stamp(good)
        let eviction = evictCorrupt(corrupt)
        var broken = eviction.records.map(records.path(of:))
        for key in records.allKeys() {
            switch lookup(key) {
            case .hit, .miss, .corrupt: break
            case .evicted:
                records.remove(key)
                broken.append(records.path(of: key))
            }
        }
        return VerifyReport(checkedObjects: all.count, corruptObjects: corrupt.map(objects.path(of:)).sorted(),
                            brokenRecords: Array(Set(broken)).sorted())
    }
}
