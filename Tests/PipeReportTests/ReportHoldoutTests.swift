import Foundation
import PipeCore
import PipeEngine
@testable import PipeReport
import Testing

@Test func sweepSectionWarnsOnlyWhenTheBestThresholdIsOnTheEdge() throws {
    func sweep(_ json: String) throws -> ThresholdSweep { try #require(ThresholdSweep(json: try JSONValue(parsing: Data(json.utf8)))) }
    let low = try sweep(#"{"thresholds": [0.1, 0.2, 0.3], "dice": [0.9, 0.5, 0.4]}"#)
    let warning = try #require(SweepSection.warning("validate", low))
    #expect(warning.contains("0.1 is the lowest one swept"), "\(warning)")
    #expect(SweepSection.warning("validate", try sweep(#"{"thresholds": [0.1, 0.2, 0.3], "dice": [0.5, 0.9, 0.4]}"#)) == nil)
    let chart = SweepSection.chart("validate", try sweep(#"{"thresholds": [0.1, 0.2, 0.3], "dice": [0.5, 0.9, 0.4], "dice_holdout": [0.4, 0.8, 0.5]}"#))
    #expect(chart.series.map(\.name) == ["Dice", "holdout"])
}

@Test func versionsTableShowsHoldoutBesideCV() {
    let versions = [
        ReportSnapshot.Version(name: "v1", parent: nil, changes: [], seconds: 10, cv: 0.9, holdout: 0.88, lb: 0.92,
                               description: nil, note: nil),
        ReportSnapshot.Version(name: "v2", parent: "v1", changes: [], seconds: 10, cv: 0.91, lb: nil, description: nil, note: nil),
    ]
    let html = VersionsSection.table(versions, highlight: [])
    #expect(html.contains("<th>CV</th><th>holdout</th><th>LB</th>"))
    #expect(html.contains("<td class=\"num\">0.9000</td><td class=\"num\">0.8800</td><td class=\"num\">0.9200</td>"), "\(html)")
    #expect(VersionsSection.lineChart(versions)?.series.map(\.name) == ["CV", "holdout", "LB"])
}

@Test func theReportWarnsWhenTheBestThresholdSitsOnTheSweepsEdge() throws {
    let edge = try #require(ThresholdSweep(json: try JSONValue(parsing: Data(#"{"thresholds": [0.1, 0.2, 0.3], "dice": [0.9, 0.5, 0.4]}"#.utf8))))
    #expect(edge.bestIsOnEdge && edge.holdout == nil)
    let inside = try #require(ThresholdSweep(json: try JSONValue(parsing: Data(
        #"{"thresholds": [0.1, 0.2, 0.3], "dice": [0.5, 0.9, 0.4], "dice_holdout": [0.4, 0.8, 0.5]}"#.utf8))))
    #expect(!inside.bestIsOnEdge && inside.holdout == [0.4, 0.8, 0.5])
    let top = try #require(ThresholdSweep(json: try JSONValue(parsing: Data(#"{"thresholds": [0.1, 0.2], "dice": [0.5, 0.9]}"#.utf8))))
    #expect(top.bestIsOnEdge)
}
