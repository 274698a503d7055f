import EngineTestSupport
import Foundation
import PipeCache
import PipeCore
import PipeEngine
import Testing

/// A fan-out whose cached tasks are settled together (`Cache.intactRecords`)
/// still hands every damaged result to the per-task lookup, which evicts,
/// explains and reruns it, and reuses all the others.
@Test func aFanOutReusesItsIntactTasksAndRerunsEachDamagedOneForItsOwnReason() async throws {
    let fixture = try EngineFixture()
    defer { fixture.remove() }
    let items = (0..<40).map { "\"\($0)\"" }.joined(separator: ", ")
    try fixture.write("p.yaml", """
        pipeline: p
        stages:
          shard: {kind: command, foreach: [\(items)], cmd: "echo item ${item} > out.txt", outs: [out.txt]}
          gather: {kind: command, deps: [shard], cmd: "cat ${deps.shard}/*/out.txt | wc -l > n.txt", outs: [n.txt]}
        """)
    let cold = try await fixture.run("p.yaml")
    #expect(cold.tasks(.ran).count == 41)
    let cache = try Cache(root: fixture.cacheRoot)
    func record(_ task: String) throws -> RunRecord {
        let key = try #require(cold.tasks.first { $0.task == task }?.key)
        return try #require(cache.records.read(key))
    }
    // shard[3]: its output file rewritten in place (same size); shard[17]: its record gone;
    // shard[29]: its output file deleted.
    let three = try #require(cache.objects.manifest(try record("shard[3]").output)?.entries.first)
    let threePath = cache.objects.path(of: three.digest)
    chmod(threePath, 0o644)
    try Data("item X\n".utf8).write(to: URL(fileURLWithPath: threePath))
    cache.records.remove(try record("shard[17]").key)
    let twentyNine = try #require(cache.objects.manifest(try record("shard[29]").output)?.entries.first)
    unlink(cache.objects.path(of: twentyNine.digest))

    let rerun = try await fixture.run("p.yaml")
    // The gather read the corrupt bytes inside the fan-out's tree: it is evicted with them.
    #expect(rerun.tasks(.ran) == ["gather", "shard[17]", "shard[29]", "shard[3]"])
    #expect(rerun.tasks(.cached).count == 37)
    #expect(rerun.reason("shard[3]") == "output corrupt; evicted")
    #expect(rerun.reason("shard[17]") == "never run")  // its record, which held its last signature, is gone
    #expect(rerun.reason("shard[29]") == "output missing")
    #expect(rerun.reason("gather") == "input corrupt; evicted")
    #expect(try String(contentsOf: fixture.dir.file("runs/p/shard/3/out.txt"), encoding: .utf8) == "item 3\n")
    #expect(try String(contentsOf: fixture.dir.file("runs/p/gather/n.txt"), encoding: .utf8)
        .trimmingCharacters(in: .whitespacesAndNewlines) == "40")

    let noOp = try await fixture.run("p.yaml")
    #expect(noOp.tasks(.cached).count == 41)
    #expect(noOp.tasks(.ran).isEmpty)
}
