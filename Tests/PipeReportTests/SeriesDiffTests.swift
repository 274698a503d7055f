import Foundation
import PipeCore
import PipeReport
import PipeSpec
import PipeStages
import TestSupport
import Testing

/// `pipe diff` and `pipe log` on the committed experiment series, against
/// golden text: what a user reads when comparing two versions.
func seriesSpec(_ version: String) throws -> PipelineSpec {
    try SpecLoader(registry: StageRegistry.standard.kinds)
        .load(file: PipeRepository.root.appendingPathComponent("pipelines/\(version).yaml"))
}

func seriesDiff(_ a: String, _ b: String) async throws -> String {
    try await VersionDiff(try seriesSpec(a), try seriesSpec(b), kinds: .standard, cache: nil).text
}

@Test func diffV43ToV54NamesTheNewSourceOnceAndEveryImpactedStage() async throws {
    #expect(try await seriesDiff("v43", "v54") == """
        params (v43 -> v54):
          data.external (unset) -> {"synthetic-external":{"seed":3,"side":1024,"tiles":24}}
          infer.tta ["none","flip_h"] -> ["none","flip_h","flip_v","rot180"]
          tile.from ["data.kidney"] -> ["data.kidney","data.external"]
          train.loss bce_jaccard -> bce

        stages whose results differ:
          tile: input data.external added
          augment: input tile changed
          train: param train.loss bce_jaccard -> bce; input augment changed
          validate: input train changed; input augment changed
          infer: param infer.tta ["none","flip_h"] -> ["none","flip_h","flip_v","rot180"]; input train changed
          submit: input infer changed; input validate changed

        metrics: run both versions to compare them
        """)
}

@Test func diffV18ToV19RerunsTrainingAndWhatReadsItOnly() async throws {
    #expect(try await seriesDiff("v18", "v19") == """
        params (v18 -> v19):
          train.loss bce_jaccard -> bce

        stages whose results differ:
          train: param train.loss bce_jaccard -> bce
          validate: input train changed
          infer: input train changed
          submit: input infer changed; input validate changed
        unchanged (shared from the cache): tile, augment

        metrics: run both versions to compare them
        """)
}

@Test func diffV01ToV02NamesTheBatchSize() async throws {
    #expect(try await seriesDiff("v01", "v02") == """
        params (v01 -> v02):
          train.batch 8 -> 16

        stages whose results differ:
          train: param train.batch 8 -> 16
          validate: input train changed
          infer: input train changed
          submit: input infer changed; input validate changed
        unchanged (shared from the cache): tile, augment

        metrics: run both versions to compare them
        """)
}

/// The log's "changed vs parent" column compares resolved specs, so v54
/// (which extends v19) names the source it adds and the stage that reads it.
@Test func logChangesOfV54AgainstItsParentV19() throws {
    let changes = ValueChange.between(try seriesSpec("v19").resolved, try seriesSpec("v54").resolved)
    #expect(changes.map(\.text) == [
        #"data.external (unset) -> {"synthetic-external":{"seed":3,"side":1024,"tiles":24}}"#,
        #"tile.from ["data.kidney"] -> ["data.kidney","data.external"]"#,
    ])
}

@Test func everyVersionOfTheSeriesChangesSomethingAgainstItsParent() throws {
    let files = try FileManager.default.contentsOfDirectory(atPath: PipeRepository.root.appendingPathComponent("pipelines").path)
    let versions = files.filter { $0.hasSuffix(".yaml") }.map { String($0.dropLast(5)) }.sorted()
    #expect(versions.count >= 18)
    for version in versions {
        let spec = try seriesSpec(version)
        guard let parent = spec.ancestors.first?.name else { continue }
        let changes = ValueChange.between(try seriesSpec(parent).resolved, spec.resolved)
        #expect(!changes.isEmpty, "\(version) changes nothing against \(parent)")
        #expect(!changes.contains { $0.path.hasSuffix(".") || $0.path.isEmpty }, "\(version): \(changes.map(\.text))")
    }
}

@Test func valueChangesOfAWholeSubtreeAreOneLineAndDescriptionsAreNotChanges() throws {
    let a = try JSONValue(parsing: Data(#"{"params": {"a": 1}, "data": {}, "stages": {"t": {"kind": "tile", "description": "x", "size": 1}}}"#.utf8))
    let b = try JSONValue(parsing: Data(#"{"params": {"a": 1.5}, "data": {"e": {"g": {"n": 1}}}, "stages": {"t": {"kind": "tile", "description": "y", "size": 1}, "u": {"kind": "augment"}}}"#.utf8))
    #expect(ValueChange.between(a, b).map(\.text) == [
        "params.a 1 -> 1.5", #"data.e (unset) -> {"g":{"n":1}}"#, #"u (unset) -> {"kind":"augment"}"#,
    ])
    #expect(ValueChange.between(a, b).map(\.scope) == ["params", "data.e", "u"])
    #expect(ValueChange.between(a, b).map(\.field) == ["a", "", ""])
}

@Test func metricsPrintIntegersAsIntegersAndDeltasWithSensiblePrecision() {
    let rows = [
        VersionDiff.MetricRow(task: "tile[a]", metric: "tiles", a: .int(120), b: .int(131), aRan: true, bRan: true),
        VersionDiff.MetricRow(task: "validate", metric: "cv_dice_image", a: .double(0.8123456), b: .double(0.8251), aRan: true,
                              bRan: true),
        VersionDiff.MetricRow(task: "train[0]", metric: "seconds", a: .double(312.44), b: .double(298.06), aRan: true, bRan: true),
        VersionDiff.MetricRow(task: "x", metric: "custom", a: .double(1234.5678), b: nil, aRan: true, bRan: false),
    ]
    let diff = VersionDiff(a: "v1", b: "v2", comparison: SpecComparison(try! seriesSpec("v01"), try! seriesSpec("v01"),
                                                                          registry: .standard),
                           metrics: rows, declared: StageRegistry.standard.declaredMetrics)
    let table = diff.text.components(separatedBy: "metrics (the results recorded for each side's task keys):\n")[1]
    #expect(table == """
          task      metric         v1      v2       delta
          tile[a]   tiles          120     131      +11
          validate  cv_dice_image  0.8123  0.8251   +0.0128
          train[0]  seconds        312.4   298.1    -14.4
          x         custom         1235    not run
        """)
}

/// Fields that select tasks rather than enter keys (`only_folds`) show as
/// tasks gained or lost, never as a changed param of the folds that stay.
@Test func diffNamesTasksAFanOutGainsOrLosesAndKeepsTheirKeys() throws {
    let loader = SpecLoader(registry: StageRegistry.standard.kinds)
    let file = PipeRepository.root.appendingPathComponent("pipelines/v01.yaml")
    let both = try loader.load(file: file), first = try loader.load(file: file, overrides: ["train.only_folds=[0]"])
    let narrowed = SpecComparison(both, first, registry: .standard)
    #expect(narrowed.changedStages.first?.stage == "train")
    #expect(narrowed.changedStages.first?.reasons == ["task train[1] removed"])
    // the fold that stays keeps its key: plan runs nothing of train, only what reads it
    #expect(narrowed.changedStages.first?.reruns == false)
    #expect(narrowed.changedStages.dropFirst().allSatisfy { $0.reruns })
    #expect(narrowed.changedStages.map(\.stage).contains("validate"))
    let widened = SpecComparison(first, both, registry: .standard)
    #expect(widened.changedStages.first?.reasons == ["task train[1] added"])
    #expect(widened.changedStages.first?.reruns == true)
    #expect(widened.valueChanges.map(\.text) == ["train.only_folds [0] -> (unset)"])
}
