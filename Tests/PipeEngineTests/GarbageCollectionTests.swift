import EngineTestSupport
import Foundation
import PipeCache
import PipeCore
import PipeEngine
import Testing

@Test func gcKeepsWhatEachPipelinesLatestRunReferences() async throws {
    let fixture = try EngineFixture.hello()
    defer { fixture.remove() }
    // A run of v1 that a later run of v1 supersedes: its prep output is garbage afterwards.
    let superseded = try await fixture.run("hello/v1.yaml", overrides: ["params.scale=5"])
    let cache = try Cache(root: fixture.cacheRoot)
    let oldOutput = try #require(superseded.tasks.first { $0.task == "prep" }?.output)
    let oldFile = try #require(cache.objects.manifest(oldOutput)?.entries.first?.digest)
    _ = try await fixture.run("hello/v1.yaml")
    _ = try await fixture.run("hello/v2.yaml")
    let collected = try cache.collectGarbage()
    #expect(collected.removedRecords == 5)
    #expect(!cache.objects.contains(oldFile))
    #expect(!cache.objects.contains(oldOutput))
    for spec in ["hello/v1.yaml", "hello/v2.yaml"] {
        let rerun = try await fixture.run(spec)
        #expect(rerun.tasks(.ran).isEmpty, "\(spec) recomputed \(rerun.tasks(.ran)) after gc")
        #expect(rerun.tasks(.cached).count == 5)
    }
}
