import EngineTestSupport
import Foundation
import PipeCache
import PipeCore
import PipeEngine
@testable import PipeReport
import PipeStages
import Testing

@Test func logRowsNameTheVariableEachVersionChanged() async throws {
    let fixture = try EngineFixture()
    defer { fixture.remove() }
    try fixture.write("data/values.txt", "1\n2\n3\n4\n5\n6\n")
    try fixture.write("p1.yaml", basePipeline.replacingOccurrences(of: "pipeline: p1", with: "pipeline: p1\ndescription: baseline"))
    try fixture.write("p2.yaml", "pipeline: p2\nextends: p1.yaml\ndescription: bigger scale\nparams: {scale: 5}\n")
    _ = try await fixture.run("p1.yaml")
    _ = try await fixture.run("p2.yaml")
    let cache = try Cache(root: fixture.cacheRoot)
    try cache.database.record(pipeline: "p2", lb: 0.924, note: "scale helps")
    let log = try ExperimentLog(database: cache.database, kinds: .standard)
    #expect(log.rows.map(\.version) == ["p1", "p2"])
    #expect(log.rows[0].parent == nil)
    let child = log.rows[1]
    #expect(child.parent == "p1")
    #expect(child.changes == ["params.scale 2 -> 5", "prep.params.scale 2 -> 5"])
    #expect(child.description == "bigger scale")
    #expect(child.lb == 0.924)
    #expect(child.note == "scale helps")
    #expect(child.seconds > 0)
}

/// v54 run straight after v43 (its parent v19 never ran): the row still
/// names what v54 changes, from the parent's spec file.
@Test func logRowOfAVersionWhoseParentNeverRanNamesItsChanges() async throws {
    let fixture = try EngineFixture()
    defer { fixture.remove() }
    try fixture.write("data/values.txt", "1\n2\n3\n")
    try fixture.write("p1.yaml", basePipeline)
    try fixture.write("p2.yaml", "pipeline: p2\nextends: p1.yaml\nparams: {scale: 5}\nstages:\n  summary: {outs: [all.txt], description: x}\n")
    _ = try await fixture.run("p2.yaml")
    let log = try ExperimentLog(database: try Cache(root: fixture.cacheRoot).database, kinds: .standard)
    #expect(log.rows.map(\.version) == ["p2"])
    #expect(log.rows[0].parent == "p1")
    #expect(log.rows[0].changes == ["params.scale 2 -> 5", "prep.params.scale 2 -> 5"])
}
