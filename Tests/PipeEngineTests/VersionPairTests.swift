import EngineTestSupport
import Foundation
import PipeCore
import PipeCache
import PipeEngine
import Testing

private func makeFixture() throws -> EngineFixture {
    let fixture = try EngineFixture()
    try fixture.write("data/values.txt", "1\n2\n3\n4\n5\n6\n")
    try fixture.write("p1.yaml", basePipeline)
    return fixture
}

@Test func firstRunRunsEverythingAndRerunRunsNothing() async throws {
    let fixture = try makeFixture()
    defer { fixture.remove() }
    let first = try await fixture.run("p1.yaml")
    #expect(first.tasks(.ran) == ["fold[0]", "fold[1]", "fold[2]", "prep", "summary"])
    #expect(first.reason("prep") == "never run")
    #expect(!first.failed)
    let summary = try String(contentsOf: fixture.dir.file("runs/p1/summary/all.txt"), encoding: .utf8)
    #expect(summary.contains("\"sum\""))
    let second = try await fixture.run("p1.yaml")
    #expect(second.tasks(.ran).isEmpty)
    #expect(second.tasks(.cached).count == 5)
}

@Test func paramChangeRerunsExactlyTheAffectedTasksAndRevertRunsNothing() async throws {
    let fixture = try makeFixture()
    defer { fixture.remove() }
    _ = try await fixture.run("p1.yaml")
    let plan = try await fixture.run("p1.yaml", overrides: ["params.scale=3"], plan: true)
    #expect(plan.reason("prep") == "param prep.params.scale 2 -> 3")
    #expect(plan.tasks(.willRun).contains("fold[0]"))
    #expect(plan.reason("fold[0]")?.contains("upstream prep will run") == true)
    // A task waiting on upstream still names its own param change, old -> new.
    let both = try await fixture.run("p1.yaml", overrides: ["params.scale=3", "summary.params.tag=x"], plan: true)
    #expect(both.reason("summary") == "param summary.params.tag (unset) -> x; upstream fold will run first")
    let changed = try await fixture.run("p1.yaml", overrides: ["params.scale=3"])
    #expect(changed.tasks(.ran) == ["fold[0]", "fold[1]", "fold[2]", "prep", "summary"])
    #expect(changed.reason("fold[1]") == "input prep changed")
    let reverted = try await fixture.run("p1.yaml")
    #expect(reverted.tasks(.ran).isEmpty)
}

@Test func unchangedOutputStopsTheCascade() async throws {
    let fixture = try makeFixture()
    defer { fixture.remove() }
    _ = try await fixture.run("p1.yaml")
    // A param in prep's key that does not change its output: prep reruns, nothing after it does.
    let report = try await fixture.run("p1.yaml", overrides: ["prep.params.note=cosmetic"])
    #expect(report.tasks(.ran) == ["prep"])
    #expect(report.tasks(.cached) == ["fold[0]", "fold[1]", "fold[2]", "summary"])
}

@Test func addingAFanOutItemRunsOnlyTheNewTask() async throws {
    let fixture = try makeFixture()
    defer { fixture.remove() }
    _ = try await fixture.run("p1.yaml")
    let report = try await fixture.run("p1.yaml", overrides: ["params.folds=[0, 1, 2, 3]"])
    #expect(report.tasks(.ran) == ["fold[3]", "summary"])
    #expect(report.reason("fold[3]") == "never run")
}

@Test func dataChangeIsNamedAsTheReason() async throws {
    let fixture = try makeFixture()
    defer { fixture.remove() }
    _ = try await fixture.run("p1.yaml")
    try fixture.write("data/values.txt", "1\n2\n3\n4\n5\n7\n")
    let report = try await fixture.run("p1.yaml")
    #expect(report.reason("prep") == "input data.raw changed")
    #expect(report.tasks(.ran).contains("prep"))
}

@Test func childPipelineIsExplainedAgainstItsParent() async throws {
    let fixture = try makeFixture()
    defer { fixture.remove() }
    try fixture.write("p2.yaml", "pipeline: p2\nextends: p1.yaml\nparams: {scale: 5}\n")
    _ = try await fixture.run("p1.yaml")
    let plan = try await fixture.run("p2.yaml", plan: true)
    #expect(plan.reason("prep") == "param prep.params.scale 2 -> 5")
    let run = try await fixture.run("p2.yaml")
    #expect(run.tasks(.ran).count == 5)
    // The parent's results are still cached: switching back costs nothing.
    #expect(try await fixture.run("p1.yaml").tasks(.ran).isEmpty)
}

@Test func forceAndUntilSelectTasks() async throws {
    let fixture = try makeFixture()
    defer { fixture.remove() }
    let partial = try await fixture.run("p1.yaml", until: "prep")
    #expect(partial.tasks.map(\.task) == ["prep"])
    _ = try await fixture.run("p1.yaml")
    let forced = try await fixture.run("p1.yaml", force: ["prep"])
    #expect(forced.tasks(.ran) == ["prep"])
    #expect(forced.reason("prep") == "forced")
    // The forced task reproduced its output, so nothing downstream reran.
    #expect(forced.tasks(.cached) == ["fold[0]", "fold[1]", "fold[2]", "summary"])
}

@Test func missingOutputRerunsTheTask() async throws {
    let fixture = try makeFixture()
    defer { fixture.remove() }
    let first = try await fixture.run("p1.yaml")
    let cache = try Cache(root: fixture.cacheRoot)
    let output = try #require(first.tasks.first { $0.task == "summary" }?.output)
    for entry in try #require(cache.objects.manifest(output)).entries { unlink(cache.objects.path(of: entry.digest)) }
    let report = try await fixture.run("p1.yaml")
    #expect(report.tasks(.ran) == ["summary"])
    #expect(report.reason("summary") == "output missing")
}

@Test func planNamesATasksOwnChangedScriptWhileItsUpstreamWillRun() async throws {
    let fixture = try EngineFixture.hello()
    defer { fixture.remove() }
    _ = try await fixture.run("hello/v1.yaml")
    let script = fixture.dir.file("hello/scripts/fold.sh"), data = fixture.dir.file("hello/data/measurements.csv")
    try (String(contentsOf: script, encoding: .utf8) + "# edited\n").write(to: script, atomically: true, encoding: .utf8)
    try (String(contentsOf: data, encoding: .utf8) + "99,1.0\n").write(to: data, atomically: true, encoding: .utf8)
    let plan = try await fixture.run("hello/v1.yaml", plan: true)
    #expect(plan.reason("prep") == "input data.raw changed")
    for fold in ["fold[0]", "fold[1]", "fold[2]"] {
        #expect(plan.reason(fold) == "input scripts/fold.sh changed; upstream prep will run first")
    }
    #expect(plan.reason("summary") == "upstream fold will run; reruns only if its output changes")
    let run = try await fixture.run("hello/v1.yaml")
    #expect(run.tasks(.ran) == ["fold[0]", "fold[1]", "fold[2]", "prep", "summary"])
    #expect(run.reason("fold[0]") == "input prep changed; input scripts/fold.sh changed")
}
