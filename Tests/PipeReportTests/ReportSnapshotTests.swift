import EngineTestSupport
import Foundation
import PipeCache
import PipeCore
import PipeEngine
@testable import PipeReport
import PipeSpec
import PipeStages
import Testing

/// Command stages standing in for train and validate: they write the files
/// the report reads, through the real engine and cache.
private let curvesPipeline = #"""
    pipeline: c1
    description: curves from command stages
    params: {folds: [0, 1]}
    data:
      raw: data
    stages:
      train:
        kind: command
        deps: [data.raw]
        foreach: "${params.folds}"
        cmd: >-
          printf 'epoch,lr,train_loss,val_loss,val_dice,seconds\n1,0.001,0.9,1.0,0.5,1\n2,0.0005,0.5,0.7,0.7,${item}\n' > metrics.csv
        outs: [metrics.csv]
      validate:
        kind: command
        deps: [train, data.raw]
        cmd: >-
          mkdir overlays && cp data/a.png overlays/worst.png &&
          printf '{"thresholds": [0.4, 0.5], "dice": [0.7, 0.8]}' > sweep.json &&
          printf '{"cv_dice_image": 0.8}' > m.json
        outs: [sweep.json, overlays, m.json]
        metrics: m.json
    """#

private func makeFixture() throws -> EngineFixture {
    let fixture = try EngineFixture()
    try fixture.write("data/values.txt", "1\n2\n3\n4\n5\n6\n")
    try fixture.write("p1.yaml", basePipeline)
    try fixture.write("c1.yaml", curvesPipeline)
    let png = try ReportFixture()
    defer { png.remove() }
    try FileManager.default.copyItem(atPath: try png.png("a.png", red: 1), toPath: fixture.dir.file("data/a.png").path)
    return fixture
}

@Test func snapshotOfANeverRunPipelineHasItsDAGAndNoTasks() throws {
    let fixture = try makeFixture()
    defer { fixture.remove() }
    let snapshot = try ReportSnapshot(spec: try fixture.load("p1.yaml"), cache: try Cache(root: fixture.cacheRoot), kinds: .standard)
    #expect(snapshot.nodes.map(\.name) == ["data.raw", "prep", "fold", "summary"])
    #expect(snapshot.nodes.map(\.inputs) == [[], ["data.raw"], ["prep"], ["fold"]])
    #expect(snapshot.run == nil)
    #expect(snapshot.tasks.isEmpty)
}

@Test func snapshotReadsTasksRecordsAndTheRunThatDidTheWork() async throws {
    let fixture = try makeFixture()
    defer { fixture.remove() }
    _ = try await fixture.run("p1.yaml")
    _ = try await fixture.run("p1.yaml")
    let snapshot = try ReportSnapshot(spec: try fixture.load("p1.yaml"), cache: try Cache(root: fixture.cacheRoot), kinds: .standard)
    #expect(snapshot.tasks.map(\.status) == Array(repeating: TaskStatus.cached, count: 5))
    #expect(snapshot.workTasks.map(\.status) == Array(repeating: TaskStatus.ran, count: 5))
    #expect(snapshot.workRun?.id != snapshot.run?.id)
    #expect(snapshot.workTasks.allSatisfy { $0.started != nil && $0.files.count == 1 })
    let bars = TimelineSection.bars(snapshot)
    #expect(bars.map(\.stage) == ["prep", "fold", "fold", "fold", "summary"])
    #expect(bars.allSatisfy { $0.start != nil })
    #expect(bars[0].start! <= bars[4].start!)
    let html = ReportPage.render(snapshot)
    #expect(occurrences(of: "<g class=\"node cached\">", in: html) == 3)
    #expect(html.contains("3 tasks: 3 cached"))
    #expect(snapshot.versions.map(\.name) == ["p1"])
}

@Test func curvesSweepAndOverlaysComeFromRealTaskOutputs() async throws {
    let fixture = try makeFixture()
    defer { fixture.remove() }
    let report = try await fixture.run("c1.yaml")
    #expect(!report.failed)
    let snapshot = try ReportSnapshot(spec: try fixture.load("c1.yaml"), cache: try Cache(root: fixture.cacheRoot), kinds: .standard)
    let curves = CurvesSection.curves(snapshot)
    #expect(curves.map(\.stage) == ["train"])
    #expect(curves.first?.curves.map(\.task) == ["train[0]", "train[1]"])
    #expect(curves.first?.curves.first?.points("val_dice").map(\.y) == [0.5, 0.7])
    #expect(SweepSection.sweeps(snapshot).first?.sweep.best.threshold == 0.5)
    let html = ReportPage.render(snapshot)
    #expect(occurrences(of: "not run yet", in: html) == 1)  // only the previews: no tile stage here
    #expect(html.contains("not run yet: tile and augment tasks write preview.png"))
    #expect(html.contains("<figcaption>validate: worst.png</figcaption>"))
    #expect(snapshot.versions.first?.cv == 0.8)
    #expect(hasNoExternalURL(html))
}

@Test func comparePageShowsParamDifferencesAndMetricsSideBySide() async throws {
    let fixture = try makeFixture()
    defer { fixture.remove() }
    try fixture.write("p2.yaml", "pipeline: p2\nextends: p1.yaml\nparams: {scale: 3}\n")
    _ = try await fixture.run("p1.yaml")
    _ = try await fixture.run("p2.yaml")
    let cache = try Cache(root: fixture.cacheRoot)
    let a = try fixture.load("p1.yaml"), b = try fixture.load("p2.yaml")
    let html = ReportPage.renderComparison(try ReportSnapshot(spec: a, cache: cache, kinds: .standard), try ReportSnapshot(spec: b, cache: cache, kinds: .standard),
                                           comparison: SpecComparison(a, b, registry: .standard))
    for section in ReportPage.compareSections {
        #expect(html.contains("<section id=\"\(section.id)\">\n<h2>\(section.title)</h2>"))
    }
    #expect(html.contains("<td>params</td><td>scale</td><td>2</td><td>3</td>"))
    #expect(html.contains("<b>prep</b>: param prep.params.scale 2 -&gt; 3"))
    #expect(html.contains("<td>fold[0]</td><td>sum</td>"))
    #expect(html.contains("<section id=\"a-dag\">") && html.contains("<section id=\"b-dag\">"))
    #expect(occurrences(of: "<tr class=\"current\">", in: html) == 2)
    #expect(hasNoExternalURL(html))
}

@Test func aCorruptOutputIsNeverOfferedToTheReportAndIsEvicted() async throws {
    let fixture = try makeFixture()
    defer { fixture.remove() }
    _ = try await fixture.run("c1.yaml")
    let cache = try Cache(root: fixture.cacheRoot)
    let before = try ReportSnapshot(spec: try fixture.load("c1.yaml"), cache: cache, kinds: .standard)
    let validate = try #require(before.tasks.first { $0.stage == "validate" })
    let sweep = try #require(validate.files["sweep.json"])
    // A same-size edit of the object, as through a hard link under runs/.
    chmod(sweep, 0o644)
    let handle = try #require(FileHandle(forWritingAtPath: sweep))
    try handle.write(contentsOf: Data("[".utf8))
    try handle.close()
    let after = try ReportSnapshot(spec: try fixture.load("c1.yaml"), cache: cache, kinds: .standard)
    #expect(after.tasks.first { $0.stage == "validate" }?.files.isEmpty == true)
    #expect(after.tasks.first { $0.stage == "train" }?.files.isEmpty == false)
    let rerun = try await fixture.run("c1.yaml")
    #expect(rerun.tasks(.ran) == ["validate"])
}
