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

@Test func lastKeysOfAStageAreEachTasksLastKey() throws {
    let fixture = try EngineFixture()
    defer { fixture.remove() }
    let database = try CacheDatabase(path: fixture.dir.file("pipe.db").path)
    // Names around the stage's range: `s`, `s[...]` belong to stage s; `sx`, `s\`, `t[a]` do not.
    let names = ["s", "s[a]", "s[b]", "s[]", "sx", "s\\", "t[a]", "r[z]"]
    for round in 0..<2 {
        let writer = RunHistoryWriter(database: database, start: start())
        for name in names where round == 0 || name != "s[b]" {
            writer.add(TaskHistoryEntry(task: name, stage: "s", key: Digest.of(Data("\(name)\(round)".utf8)),
                                        status: "cached", reason: nil, seconds: 1, output: nil,
                                        metrics: .object([:])), durable: false)
        }
        writer.add(TaskHistoryEntry(task: "s[c]", stage: "s", key: nil, status: "failed", reason: nil, seconds: 1,
                                    output: nil, metrics: .object([:])), durable: false)
        _ = try writer.finish(status: "ok")
    }
    let keys = try database.lastKeys(pipeline: "p", stage: "s")
    #expect(keys.keys.sorted() == ["s", "s[]", "s[a]", "s[b]"])
    for name in names + ["s[c]"] {
        let expected = ["s", "s[]", "s[a]", "s[b]"].contains(name) ? try database.lastKey(pipeline: "p", task: name) : nil
        #expect(keys[name] == expected, "\(name)")
    }
    #expect(keys["s[b]"] == Digest.of(Data("s[b]0".utf8)), "a task absent from the last run keeps its earlier key")
    #expect(try database.lastKeys(pipeline: "other", stage: "s").isEmpty)
}

/// Past `PreviousKeys.singleLookups` tasks a stage's earlier keys are read in
/// one query; the reasons must be those that one query per task gave.
@Test func aLargeFanOutIsExplainedTaskByTaskAgainstItsParent() async throws {
    let fixture = try EngineFixture()
    defer { fixture.remove() }
    let items = (0..<50).map { "\"\($0)\"" }.joined(separator: ", ")
    try fixture.write("p1.yaml", """
        pipeline: p1
        params: {word: hello}
        stages:
          shard: {kind: command, foreach: [\(items)], cmd: "echo ${params.word} ${item} > out.txt", outs: [out.txt]}
        """)
    try fixture.write("p2.yaml", "pipeline: p2\nextends: p1.yaml\nparams: {word: bye}\n")
    _ = try await fixture.run("p1.yaml")
    let plan = try await fixture.run("p2.yaml", plan: true)
    #expect(plan.tasks(.willRun).count == 50)
    let changed = "param shard.cmd echo hello ${item} > out.txt -> echo bye ${item} > out.txt"
    for index in 0..<50 { #expect(plan.reason("shard[\(index)]") == changed, "shard[\(index)]") }
    try fixture.write("p3.yaml", "pipeline: p3\nextends: p1.yaml\nstages:\n  shard: {foreach: [x]}\n")
    #expect(try await fixture.run("p3.yaml", plan: true).reason("shard[x]") == "never run")
}
