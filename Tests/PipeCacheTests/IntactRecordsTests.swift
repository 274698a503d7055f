import Foundation
import PipeCache
import PipeCore
import TestSupport
import Testing

/// Stores one file as the output of a task named `name`; returns the request that finds it.
private func store(_ name: String, in cache: Cache, dir: TemporaryDirectory) throws
    -> (key: Digest, signature: TaskSignature, manifest: TreeManifest) {
    try dir.write("out-\(name)/\(name).txt", "bytes of \(name)")
    let manifest = try cache.objects.ingestTree(at: dir.file("out-\(name)").path, move: true)
    let signature = TaskSignature(kind: "command", kindVersion: 1, params: .string(name), inputs: [:], fanOut: nil)
    try cache.records.write(RunRecord(key: signature.key, signature: signature, output: manifest.digest, pipeline: "p",
                                      stage: "s", task: name, started: Date(), seconds: 1, metrics: .object([:]),
                                      host: "h", pipeVersion: "t", log: ""))
    return (signature.key, signature, manifest)
}

@Test func intactRecordsAnswersOnlyIntactResultsAndRemovesNothing() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let cache = try Cache(root: dir.file("cache").path)
    // 200 intact results (the reads are split across cores) and four that are not.
    var stored = try (0..<200).map { try store("ok\($0)", in: cache, dir: dir) }
    let missing = try store("missing", in: cache, dir: dir)
    unlink(cache.objects.path(of: missing.manifest.entries[0].digest))
    let corrupt = try store("corrupt", in: cache, dir: dir)
    let corruptObject = cache.objects.path(of: corrupt.manifest.entries[0].digest)
    chmod(corruptObject, 0o644)
    try Data("bytes of corrupX".utf8).write(to: URL(fileURLWithPath: corruptObject))  // same size, new bytes
    let garbled = try store("garbled", in: cache, dir: dir)
    try Data("{not json".utf8).write(to: URL(fileURLWithPath: cache.records.path(of: garbled.key)))
    let never = TaskSignature(kind: "command", kindVersion: 1, params: .string("never"), inputs: [:], fanOut: nil)
    stored.insert(missing, at: 50)
    stored.insert(corrupt, at: 100)
    stored.insert(garbled, at: 150)

    let requests = stored.map { (key: $0.key, signature: $0.signature) } + [(key: never.key, signature: never)]
    let found = cache.intactRecords(requests)

    #expect(found.count == requests.count)
    for (request, record) in zip(requests, found) {
        let broken = [missing.key, corrupt.key, garbled.key, never.key].contains(request.key)
        if broken {
            #expect(record == nil, "\(request.key.hex) is not intact")
        } else {
            #expect(record?.key == request.key)
            #expect(record?.output == stored.first { $0.key == request.key }?.manifest.digest)
        }
    }
    // The slow path (`lookup`) evicts and explains; the batch leaves every file where it was.
    #expect(FileManager.default.fileExists(atPath: corruptObject))
    for key in [missing.key, corrupt.key, garbled.key] {
        #expect(FileManager.default.fileExists(atPath: cache.records.path(of: key)))
    }
    guard case .corrupt = cache.records.lookup(corrupt.key, signature: corrupt.signature) else {
        Issue.record("the corrupt object must still be found corrupt by lookup")
        return
    }
}

@Test func intactRecordsOfNothingIsNothing() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let cache = try Cache(root: dir.file("cache").path)
    #expect(cache.intactRecords([]).isEmpty)
}

/// A run record's size is not trusted as an allocation: a 1 TiB sparse file
/// under `runs/` is an unreadable record, answered nil by the batch and
/// evicted by `lookup`, not a crash.
@Test func aHugeRecordFileIsUnreadableNotAnAllocation() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let cache = try Cache(root: dir.file("cache").path)
    let huge = try store("huge", in: cache, dir: dir)
    let file = cache.records.path(of: huge.key)
    #expect(truncate(file, 1 << 40) == 0)
    #expect(cache.intactRecords([(key: huge.key, signature: huge.signature)]).first! == nil)
    guard case .evicted(let reason, _) = cache.records.lookup(huge.key, signature: huge.signature) else {
        Issue.record("a record over the size limit must be evicted as unreadable")
        return
    }
    #expect(reason == "run record")
    #expect(!FileManager.default.fileExists(atPath: file))
}
