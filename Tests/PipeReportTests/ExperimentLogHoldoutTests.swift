import EngineTestSupport
import Foundation
import PipeCache
import PipeCore
import PipeEngine
@testable import PipeReport
import PipeStages
import Testing

/// A validate-like command stage that reports CV and holdout metrics.
private let scoring = """
    pipeline: scored
    stages:
      score:
        kind: command
        cmd: "printf '{\\"cv_dice_image\\": 0.91, \\"cv_dice_tile\\": 0.88, \\"holdout_dice_image\\": 0.9, \\"threshold\\": 0.4}' > m.json"
        outs: [m.json]
        metrics: m.json
    """

@Test func logRowsCarryTheHoldoutNextToCV() async throws {
    let fixture = try EngineFixture()
    defer { fixture.remove() }
    try fixture.write("s.yaml", scoring)
    let report = try await fixture.run("s.yaml")
    #expect(report.tasks.allSatisfy { $0.status == .ran }, "\(report.tasks.map { "\($0.task): \($0.error ?? "")" })")
    let log = try ExperimentLog(database: try Cache(root: fixture.cacheRoot).database, kinds: .standard)
    let row = try #require(log.rows.first)
    #expect(row.cvImage == 0.91 && row.cvTile == 0.88 && row.holdout == 0.9)
    // Scores have their own columns; other metrics stay in `metrics`.
    #expect(row.metrics["holdout_dice_image"] == nil && row.metrics["threshold"] == 0.4)
}
