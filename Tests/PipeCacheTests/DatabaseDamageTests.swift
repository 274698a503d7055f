import Foundation
import PipeCache
import PipeCore
import TestSupport
import Testing

/// A cache with a stored result and enough run history to span several pages.
private func populatedCache(_ dir: TemporaryDirectory) throws -> (root: String, key: Digest) {
    let root = dir.file(".pipe").path
    let cache = try Cache(root: root)
    try dir.write("out/x.txt", "payload")
    let manifest = try cache.objects.ingestTree(at: dir.file("out").path, move: true)
    let signature = TaskSignature(kind: "command", kindVersion: 1, params: .int(1), inputs: [:], fanOut: nil)
    try cache.records.write(RunRecord(key: signature.key, signature: signature, output: manifest.digest, pipeline: "p",
                                      stage: "s", task: "s", started: Date(), seconds: 2, metrics: .object(["dice": .double(0.5)]),
                                      host: "h", pipeVersion: "t", log: ""))
    for index in 0..<200 {
        let run = try cache.database.beginRun(pipeline: "p", specFile: "p.yaml", specDigest: Digest.of(Data()), parent: nil,
                                              description: String(repeating: "history \(index) ", count: 8),
                                              resolved: .object([:]), host: "h", version: "t")
        try cache.database.recordTask(runID: run, TaskHistoryEntry(task: "s", stage: "s", key: signature.key, status: "ran",
                                                                   reason: nil, seconds: 2, output: manifest.digest,
                                                                   metrics: .object([:])))
        try cache.database.finishRun(run, status: "ok")
    }
    return (root, signature.key)
}

/// The first page of table `name`, read with the sqlite3 shell.
private func rootPage(of name: String, in database: String) throws -> Int {
    let result = try runProcess("/usr/bin/sqlite3", [database, "SELECT rootpage FROM sqlite_master WHERE name = '\(name)'"])
    return try #require(Int(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
}

private func overwritePage(_ page: Int, of database: String) throws {
    let handle = try #require(FileHandle(forWritingAtPath: database))
    try handle.seek(toOffset: UInt64((page - 1) * 4096))
    try handle.write(contentsOf: Data((0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }))
    try handle.close()
}

private func expectDamageMessage(_ error: any Error, _ path: String) -> Bool {
    let text = "\(error)"
    return text.contains("the cache database '\(path)' is damaged") && text.contains("run 'pipe cache repair'")
        && !text.contains("\n") && !text.contains("delete")
}

@Test(.enabled(if: toolAvailable(FileManager.default.isExecutableFile(atPath: "/usr/bin/sqlite3"))))
func aDatabaseWithOnePageOverwrittenIsNamedAndRepairKeepsObjectsAndLatestResults() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let (root, key) = try populatedCache(dir)
    let database = "\(root)/pipe.db"
    let walSize = (try? FileManager.default.attributesOfItem(atPath: "\(database)-wal")[.size] as? Int) ?? 0
    #expect(walSize == 0, "history is checkpointed into pipe.db once closed")
    try overwritePage(try rootPage(of: "runs", in: database), of: database)
    #expect { try Cache(root: root).database.runs() } throws: { expectDamageMessage($0, database) }

    let report = try Cache.repairDatabase(root: root)
    #expect(!report.healthy)
    let aside = try #require(report.movedAside)
    #expect(FileManager.default.fileExists(atPath: aside))
    #expect(report.salvaged["runs"] == nil)
    #expect(report.lost.contains { $0.contains("run history") })
    #expect(report.rebuiltTasks == 1)
    let cache = try Cache(root: root)
    #expect(try cache.database.keysOfLatestRuns() == [key])
    guard case .hit = cache.lookup(key) else { Issue.record("the result survives the repair"); return }
    #expect(try cache.collectGarbage().removedObjects == 0, "gc after a repair keeps the latest results")
    #expect(try Cache.repairDatabase(root: root).healthy)
}

@Test func aTruncatedDatabaseIsNamedAndRepaired() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let (root, key) = try populatedCache(dir)
    let database = "\(root)/pipe.db"
    let size = try #require(try FileManager.default.attributesOfItem(atPath: database)[.size] as? Int)
    #expect(size > 8 * 4096)
    #expect(truncate(database, off_t(size / 2)) == 0)
    #expect {
        let cache = try Cache(root: root)
        _ = try cache.database.runs()
        _ = try cache.database.keysOfLatestRuns()
    } throws: { error in
        let text = "\(error)"
        return text.contains("'\(database)'") && text.contains("pipe cache repair") && !text.contains("\n")
    }
    let report = try Cache.repairDatabase(root: root)
    #expect(report.movedAside != nil)
    #expect(try Cache(root: root).database.keysOfLatestRuns() == [key])
}

/// Whether this process may set the immutable attribute (root with CAP_LINUX_IMMUTABLE).
private let canMakeImmutable: Bool = {
    guard let dir = try? TemporaryDirectory() else { return false }
    defer { dir.remove() }
    guard let file = try? dir.write("probe", "x"),
          (try? runProcess("/usr/bin/chattr", ["+i", file.path]))?.status == 0 else { return false }
    _ = try? runProcess("/usr/bin/chattr", ["-i", file.path])
    return true
}()

// Root ignores mode bits; the immutable attribute makes the file read-only for root too.
@Test(.enabled(if: canMakeImmutable)) func aReadOnlyDatabaseSaysSoAndNeverAdvisesDeletingIt() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let (root, _) = try populatedCache(dir)
    let database = "\(root)/pipe.db"
    #expect(try runProcess("/usr/bin/chattr", ["+i", database]).status == 0)
    defer { _ = try? runProcess("/usr/bin/chattr", ["-i", database]) }
    #expect {
        let cache = try Cache(root: root)
        _ = try cache.database.beginRun(pipeline: "p", specFile: "", specDigest: Digest.of(Data()), parent: nil,
                                        description: nil, resolved: .null, host: "", version: "")
    } throws: { error in
        let text = "\(error)"
        return text.contains("'\(database)'") && !text.contains("delete") && !text.contains("\n")
            && (text.contains("read-only") || text.contains("cannot open"))
    }
}

@Test func aLockedDatabaseIsExplainedAsLockedNotDamaged() {
    let path = "/ws/.pipe/pipe.db"
    for code: Int32 in [5, 6, 517] {  // SQLITE_BUSY, SQLITE_LOCKED, SQLITE_BUSY_SNAPSHOT
        let text = "\(CacheDatabase.explain(resultCode: code, message: "database is locked", path: path))"
        #expect(text.contains("the cache database '\(path)' is locked by another process"), "\(text)")
        #expect(text.contains("wait for the other 'pipe' to finish"))
    }
}
