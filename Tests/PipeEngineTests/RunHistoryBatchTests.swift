import EngineTestSupport
import Foundation
import PipeCache
import PipeCore
import PipeEngine
import PipeStages
import Testing

private func entry(_ task: String, _ status: String) -> TaskHistoryEntry {
    TaskHistoryEntry(task: task, stage: "s", key: Digest.of(Data(task.utf8)), status: status, reason: nil, seconds: 1,
                     output: nil, metrics: .object([:]))
}

private func start() -> RunHistoryStart {
    RunHistoryStart(pipeline: "p", specFile: "p.yaml", specDigest: Digest.of(Data()), parent: nil, description: nil,
                    resolved: .object([:]), host: "h", version: "test")
}

@Test func noOpRunCommitsOneWriteTransaction() async throws {
    let fixture = try EngineFixture()
    defer { fixture.remove() }
    try fixture.write("data/values.txt", "1\n2\n3\n")
    try fixture.write("p1.yaml", basePipeline)
    _ = try await fixture.run("p1.yaml")
    let cache = try Cache(root: fixture.cacheRoot)
    let options = EngineOptions(jobs: 2, outputsRoot: fixture.dir.path, pipeVersion: "test")
    let report = try await Engine(spec: try fixture.load("p1.yaml"), cache: cache, registry: .standard,
                                  options: options).execute()
    #expect(report.tasks(.cached).count == 5)
    #expect(cache.database.committedWrites == 1, "a no-op writes its run record and nothing else")
    let runs = try cache.database.runs(pipeline: "p1")
    #expect(runs.count == 2)
    #expect(runs[0].status == "ok" && runs[0].finished != nil)
    #expect(try cache.database.tasks(ofRun: runs[0].id).count == 5)
}

@Test func cachedEntriesWaitForABatchAndExecutedOnesAreWrittenAtOnce() throws {
    let fixture = try EngineFixture()
    defer { fixture.remove() }
    let database = try CacheDatabase(path: fixture.dir.file("pipe.db").path)
    let writer = RunHistoryWriter(database: database, start: start(), batchSize: 3)
    writer.add(entry("a", "cached"), durable: false)
    writer.add(entry("b", "cached"), durable: false)
    #expect(database.committedWrites == 0)
    #expect(try database.runs().isEmpty)
    // A task that ran is in the history as soon as it is recorded, with what waited before it.
    writer.add(entry("c", "ran"), durable: true)
    #expect(database.committedWrites == 1)
    let run = try #require(try database.runs().first)
    #expect(run.status == "running")
    #expect(try database.tasks(ofRun: run.id).map(\.task) == ["a", "b", "c"])
    #expect(try database.lastKey(pipeline: "p", task: "c") == Digest.of(Data("c".utf8)))
    for name in ["d", "e", "f", "g"] { writer.add(entry(name, "cached"), durable: false) }
    #expect(database.committedWrites == 2)  // d, e, f filled a batch
    let id = try writer.finish(status: "ok")
    #expect(id == run.id)
    #expect(database.committedWrites == 3)
    #expect(try database.tasks(ofRun: id).count == 7)
    #expect(try database.runs().first?.status == "ok")
}
