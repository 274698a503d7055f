import Foundation
import PipeCache
import PipeCore
import TestSupport
import Testing

@Test func ingestedTreeMaterializesIdentically() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let cache = try Cache(root: dir.file("cache").path)
    try dir.write("out/a.txt", "alpha")
    try dir.write("out/sub/b.txt", "beta")
    try dir.write("out/sub/dup.txt", "alpha")
    let manifest = try cache.objects.ingestTree(at: dir.file("out").path, move: true)
    #expect(manifest.entries.map(\.path) == ["a.txt", "sub/b.txt", "sub/dup.txt"])
    #expect(!FileManager.default.fileExists(atPath: dir.file("out/a.txt").path))
    #expect(cache.objects.isComplete(manifest.digest))
    let view = dir.file("view").path
    try cache.objects.materialize(manifest.digest, at: view)
    #expect(try String(contentsOfFile: "\(view)/sub/b.txt", encoding: .utf8) == "beta")
    #expect(try String(contentsOfFile: "\(view)/sub/dup.txt", encoding: .utf8) == "alpha")
    // Objects are read-only: a stray write through a view cannot silently change the cache.
    let object = cache.objects.path(of: manifest.entries[0].digest)
    let attributes = try FileManager.default.attributesOfItem(atPath: object)
    #expect((attributes[.posixPermissions] as? Int ?? 0) & 0o222 == 0)
}

@Test func getDetectsCorruptObjects() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let cache = try Cache(root: dir.path)
    let digest = try cache.objects.put(Data("hello".utf8))
    #expect(try cache.objects.get(digest) == Data("hello".utf8))
    let path = cache.objects.path(of: digest)
    chmod(path, 0o644)
    try Data("jello".utf8).write(to: URL(fileURLWithPath: path))
    #expect(throws: CacheError.self) { try cache.objects.get(digest) }
}

@Test func corruptRunRecordIsEvictedNotFatal() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let cache = try Cache(root: dir.path)
    let signature = TaskSignature(kind: "command", kindVersion: 1, params: .object([:]), inputs: [:], fanOut: nil)
    try dir.write("out/x", "x")
    let manifest = try cache.objects.ingestTree(at: dir.file("out").path, move: true)
    let record = RunRecord(key: signature.key, signature: signature, output: manifest.digest, pipeline: "p", stage: "s",
                           task: "s", started: Date(), seconds: 1, metrics: .object(["dice": .double(0.9)]),
                           host: "h", pipeVersion: "0", log: "")
    try cache.records.write(record)
    guard case .hit(let read) = cache.records.lookup(signature.key) else { Issue.record("expected a hit"); return }
    #expect(read.metrics == .object(["dice": .double(0.9)]))
    try Data("{ truncated".utf8).write(to: URL(fileURLWithPath: cache.records.path(of: signature.key)))
    guard case .evicted = cache.records.lookup(signature.key) else { Issue.record("expected an eviction"); return }
    guard case .miss = cache.records.lookup(signature.key) else { Issue.record("expected a miss after eviction"); return }
}

@Test func recordWhoseOutputVanishedIsAMiss() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let cache = try Cache(root: dir.path)
    let signature = TaskSignature(kind: "command", kindVersion: 1, params: .int(1), inputs: [:], fanOut: nil)
    try dir.write("out/x", "payload")
    let manifest = try cache.objects.ingestTree(at: dir.file("out").path, move: true)
    try cache.records.write(RunRecord(key: signature.key, signature: signature, output: manifest.digest, pipeline: "p",
                                      stage: "s", task: "s", started: Date(), seconds: 0, metrics: .object([:]),
                                      host: "", pipeVersion: "", log: ""))
    unlink(cache.objects.path(of: manifest.entries[0].digest))
    guard case .evicted(let what, _) = cache.records.lookup(signature.key) else { Issue.record("expected eviction"); return }
    #expect(what == "output")
}

@Test func hashStateSkipsUnchangedFiles() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let cache = try Cache(root: dir.file("cache").path)
    let file = try dir.write("data/big.bin", "0123456789")
    let hasher = PathHasher(database: cache.database)
    let first = try hasher.digest(of: file.path).digest
    #expect(first == Digest.of(Data("0123456789".utf8)))
    // Same size, same mtime, same inode: the stored digest is trusted, the file is not re-read.
    var info = stat()
    stat(file.path, &info)
    let handle = try FileHandle(forWritingTo: file)
    try handle.write(contentsOf: Data("abcdefghij".utf8))
    try handle.close()
    var times = [info.st_atim, info.st_mtim]
    utimensat(AT_FDCWD, file.path, &times, 0)
    #expect(try hasher.digest(of: file.path).digest == first)
    // A new mtime makes it re-read.
    try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(5)], ofItemAtPath: file.path)
    #expect(try hasher.digest(of: file.path).digest == Digest.of(Data("abcdefghij".utf8)))
}

@Test func verifyEvictsCorruptObjectsAndGCRemovesUnreferenced() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let cache = try Cache(root: dir.path)
    let keep = try cache.objects.put(Data("keep".utf8))
    let path = cache.objects.path(of: keep)
    chmod(path, 0o644)
    try Data("broken".utf8).write(to: URL(fileURLWithPath: path))
    let report = try cache.verify()
    #expect(report.checkedObjects == 1)
    #expect(report.corruptObjects == [path])
    #expect(!cache.objects.contains(keep))
    try cache.objects.put(Data("garbage".utf8))
    let collected = try cache.collectGarbage()
    #expect(collected.removedObjects == 1)
    #expect(try cache.status().objectCount == 0)
}

@Test func taskLockIsExclusiveAndReleased() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let key = Digest.of(Data("k".utf8))
    let held = try #require(try TaskLock.tryAcquire(root: dir.path, key: key))
    #expect(try TaskLock.tryAcquire(root: dir.path, key: key) == nil)
    held.release()
    let again = try #require(try TaskLock.tryAcquire(root: dir.path, key: key))
    again.release()
}

/// A run killed after a task wrote its record but before its history batch (or its
/// run row) did: gc keeps that record (computed after the pipeline's latest finished
/// run began), and drops it once a later run of the pipeline finished without it.
@Test func gcKeepsRecordsAnInterruptedRunWroteBeforeItsHistory() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let cache = try Cache(root: dir.path)
    func begin() throws -> Int64 {
        try cache.database.beginRun(pipeline: "p", specFile: "p.yaml", specDigest: Digest.of(Data("p".utf8)), parent: nil,
                                    description: nil, resolved: .null, host: "", version: "")
    }
    let finished = try begin()
    try cache.database.finishRun(finished, status: "ok")
    // Killed before its first history batch: no run row, no task rows.
    let signature = TaskSignature(kind: "command", kindVersion: 1, params: .int(1), inputs: [:], fanOut: nil)
    let output = try cache.objects.put(Data("done".utf8))
    try cache.records.write(RunRecord(key: signature.key, signature: signature, output: output, pipeline: "p",
                                      stage: "s", task: "s", started: Date(), seconds: 0, metrics: .object([:]),
                                      host: "", pipeVersion: "", log: ""))
    #expect(try cache.collectGarbage().removedRecords == 0)
    #expect(cache.records.allKeys() == [signature.key] && cache.objects.contains(output))
    try cache.database.finishRun(try begin(), status: "ok")
    #expect(try cache.collectGarbage().removedRecords == 1)
    #expect(cache.records.allKeys().isEmpty)
}

/// A pipeline's first run, killed before anything reached the history: its finished
/// tasks' records are kept for the rerun.
@Test func gcKeepsRecordsOfAPipelineThatNeverFinishedARun() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let cache = try Cache(root: dir.path)
    let signature = TaskSignature(kind: "command", kindVersion: 1, params: .int(2), inputs: [:], fanOut: nil)
    try cache.records.write(RunRecord(key: signature.key, signature: signature, output: try cache.objects.put(Data("x".utf8)),
                                      pipeline: "first", stage: "s", task: "s", started: Date(), seconds: 0,
                                      metrics: .object([:]), host: "", pipeVersion: "", log: ""))
    #expect(try cache.collectGarbage().removedRecords == 0)
    #expect(cache.records.allKeys() == [signature.key])
}
