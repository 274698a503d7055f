import EngineTestSupport
import Foundation
import PipeCache
import PipeCore
import PipeEngine
import TestSupport
import Testing

/// A fan-out whose cached tasks are settled together (`Cache.intactRecords`)
/// still hands every damaged result to the per-task lookup, which evicts,
/// explains and reruns it, and reuses all the others.
@Test func aFanOutReusesItsIntactTasksAndRerunsEachDamagedOneForItsOwnReason() async throws {
    let fixture = try EngineFixture()
    defer { fixture.remove() }
    try fixture.write("p.yaml", fanOutSpec(40))
    let cold = try await fixture.run("p.yaml")
    #expect(cold.tasks(.ran).count == 41)
    let cache = try Cache(root: fixture.cacheRoot)
    func record(_ task: String) throws -> RunRecord {
        let key = try #require(cold.tasks.first { $0.task == task }?.key)
        return try #require(cache.records.read(key))
    }
    // each[3]: its output file rewritten in place (same size); each[17]: its record gone;
    // each[29]: its output file deleted.
    let three = try #require(cache.objects.manifest(try record("each[3]").output)?.entries.first)
    let threePath = cache.objects.path(of: three.digest)
    chmod(threePath, 0o644)
    try Data("X\n".utf8).write(to: URL(fileURLWithPath: threePath))
    cache.records.remove(try record("each[17]").key)
    let twentyNine = try #require(cache.objects.manifest(try record("each[29]").output)?.entries.first)
    unlink(cache.objects.path(of: twentyNine.digest))

    let rerun = try await fixture.run("p.yaml")
    // The gather (`all`) read the corrupt bytes inside the fan-out's tree: it is evicted with them.
    #expect(rerun.tasks(.ran) == ["all", "each[17]", "each[29]", "each[3]"])
    #expect(rerun.tasks(.cached).count == 37)
    #expect(rerun.reason("each[3]") == "output corrupt; evicted")
    #expect(rerun.reason("each[17]") == "never run")  // its record, which held its last signature, is gone
    #expect(rerun.reason("each[29]") == "output missing")
    #expect(rerun.reason("all") == "input corrupt; evicted")
    #expect(try String(contentsOf: fixture.dir.file("runs/wide/each/3/out.txt"), encoding: .utf8) == "3\n")
    #expect(try String(contentsOf: fixture.dir.file("runs/wide/all/count.txt"), encoding: .utf8)
        .trimmingCharacters(in: .whitespacesAndNewlines) == "40")

    let noOp = try await fixture.run("p.yaml")
    #expect(noOp.tasks(.cached).count == 41)
    #expect(noOp.tasks(.ran).isEmpty)
}
