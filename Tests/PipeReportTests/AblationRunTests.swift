import EngineTestSupport
import Foundation
import PipeCache
import PipeCore
import PipeEngine
@testable import PipeReport
import PipeSpec
import PipeStages
import TestSupport
import Testing

/// v10 -> v11 of the series (a higher learning rate and Lookahead at once)
/// with command stages standing in for tiling, training and validation, so
/// an ablation runs in seconds: derived versions, cache reuse, and effects
/// whose per-image arithmetic is known by construction.
@Suite struct AblationRunTests {
    let fixture: EngineFixture

    init() throws {
        fixture = try EngineFixture()
        try fixture.write("v10.yaml", AblationStandIns.v10)
        try fixture.write("v11.yaml", AblationStandIns.v11)
    }

    var cvDice: MetricDeclaration { StageRegistry.standard.declaredMetrics.named("cv_dice")! }

    func ablation(_ design: AblationDesign = .oneAtATime) throws -> Ablation {
        try Ablation(try fixture.load("v10.yaml"), try fixture.load("v11.yaml"), design: design, chosen: nil,
                     directory: fixture.dir.file(".pipe/ablations/v10-v11"), kinds: .standard)
    }

    func execute(_ run: AblationRun) async throws -> (scores: [VersionScore], reports: [String: RunReport]) {
        var reports: [String: RunReport] = [:]
        let options = EngineOptions(jobs: 2, planOnly: false, outputsRoot: fixture.dir.path, pipeVersion: "test")
        let scores = try await run.execute(cache: try Cache(root: fixture.cacheRoot), kinds: .standard, options: options) {
            reports[$0.spec.name] = $1
        }
        return (scores, reports)
    }

    @Test func onlyWhatEachVariantChangesRunsAndEffectsMatchTheHandComputedOnes() async throws {
        // A and B ran before, as they would have in the series.
        _ = try await fixture.run("v10.yaml")
        _ = try await fixture.run("v11.yaml")
        let ablation = try self.ablation()
        #expect(ablation.variables.map(\.path) == ["train.params.lookahead", "train.params.lr"])
        try ablation.write()
        let (scores, reports) = try await execute(AblationRun(ablation, metric: cvDice))
        // Only the two derived versions train and validate; prep, v10 and v11 come from the cache.
        #expect(reports["v10"]?.tasks(.ran) == [])
        #expect(reports["v11"]?.tasks(.ran) == [])
        #expect(reports["v10_with_lr"]?.tasks(.ran) == ["train", "validate"])
        #expect(reports["v10_with_lookahead"]?.tasks(.ran) == ["train", "validate"])
        #expect(reports["v10_with_lr"]?.tasks(.cached) == ["prep"])
        #expect(scores.map(\.units.count) == [4, 4, 4, 4])
        // v10: seed 2021 (mod 3 = 2): 0.756, 0.806, 0.856, 0.906.
        #expect(abs(scores[0].units["img1"]! - 0.756) < 1e-9 && abs(scores[0].value - 0.831) < 1e-9)
        let effects = AblationEffects(ablation, scores: scores, metric: cvDice, bootstrap: PairedBootstrap())
        let byName = Dictionary(uniqueKeysWithValues: effects.effects.map { ($0.name, $0) })
        let lr = try #require(byName["train.params.lr"]), lookahead = try #require(byName["train.params.lookahead"])
        #expect(abs(lr.estimate - 0.02) < 1e-9 && abs(lr.interval!.lowerBound - 0.02) < 1e-9 && lr.verdict == "helps")
        #expect(abs(lookahead.estimate) < 1e-9 && abs(lookahead.interval!.lowerBound + 0.01) < 1e-9)
        #expect(abs(lookahead.interval!.upperBound - 0.01) < 1e-9 && lookahead.verdict == "within noise at 95%")
        #expect(abs(byName["total (all of B)"]!.estimate - 0.02) < 1e-9)
        #expect(effects.text.contains("train.params.lr"))
        #expect(effects.json["effects"]?.arrayValue?.count == 4)
        // The report draws it: one interval bar and one dot per effect, and the verdicts.
        var snapshot = ReportSnapshot(pipeline: "v10", nodes: [])
        snapshot.ablations = [effects.json]
        let section = AblationSection.html(snapshot)
        #expect(section.components(separatedBy: "<circle").count - 1 == 4)
        #expect(section.contains("<td>helps</td>") && section.contains("<td>within noise at 95%</td>"))

        // A second ablation reruns nothing.
        let (_, again) = try await execute(AblationRun(ablation, metric: cvDice))
        #expect(again.values.allSatisfy { $0.tasks(.ran).isEmpty })
    }

    @Test func seedsAreVersionsCachedPerValueAndTheirSpreadIsTheNoise() async throws {
        let ablation = try self.ablation()
        let run = AblationRun(ablation, metric: cvDice, seeds: 3, seedPath: "train.params.seed")
        let entries = try run.entries(kinds: .standard)
        #expect(entries.prefix(3).map(\.spec.name) == ["v10", "v10_seed2022", "v10_seed2023"])
        #expect(entries.map(\.seed).prefix(3) == [2021, 2022, 2023])
        #expect(entries.count == 12)
        try ablation.write()
        let (scores, reports) = try await execute(run)
        // Seeds 2021, 2022, 2023 add 0.006, 0, 0.003: the sample SD of the CV is 0.003.
        #expect(abs(try #require(scores[0].noise) - 0.003) < 1e-9)
        #expect(scores[0].seeds == [2021, 2022, 2023])
        // Per image, the mean over seeds: 0.75 + 0.003.
        #expect(abs(scores[0].units["img1"]! - 0.753) < 1e-9)
        // A seed is an ordinary value of the key: prep is shared, train runs per seed.
        #expect(reports["v10_seed2022"]?.tasks(.ran) == ["train", "validate"])
        #expect(reports["v10_seed2022"]?.tasks(.cached) == ["prep"])
        // What diff reads: the other seeds' values of the tasks the seed changes, not prep's shared count.
        let others = try await SeedNoise.otherSeeds(of: try fixture.load("v10.yaml"), path: "train.params.seed", kinds: .standard,
                                                    cache: try Cache(root: fixture.cacheRoot))
        #expect(Array(others.keys) == ["validate"])
        #expect(others["validate"]?["cv_dice"]?.count == 2)
    }
}
