import Foundation
import PipeCore
import PipeReport
import PipeSpec
import PipeStages
import TestSupport
import Testing

/// `pipe ablate` derives the versions between two specs of the committed
/// series: the variables are diff's differences, grouped; each derived
/// version is a spec that loads and differs from its base by exactly its variables.
@Suite struct AblationDerivationTests {
    let directory: TemporaryDirectory

    init() throws { directory = try TemporaryDirectory("pipe-ablation") }

    func ablate(_ a: String, _ b: String, _ design: AblationDesign = .oneAtATime, vars: [String]? = nil) throws -> Ablation {
        try Ablation(try seriesSpec(a), try seriesSpec(b), design: design, chosen: vars, directory: directory.url,
                     kinds: .standard)
    }

    @Test func v10ToV11HasTwoVariablesTheLearningRateAndLookahead() throws {
        let ablation = try ablate("v10", "v11")
        #expect(ablation.variables.map(\.path) == ["train.optimizer.lookahead", "train.optimizer.lr"])
        #expect(ablation.variables[0].changes.map(\.text) == [#"train.optimizer.lookahead (unset) -> {"alpha":0.5,"k":5}"#])
        #expect(ablation.variables[1].changes.map(\.text) == ["train.optimizer.lr 0.002 -> 0.006"])
        #expect(ablation.inert.isEmpty)
        #expect(ablation.versions.map(\.name) == ["v10", "v10_with_lookahead", "v10_with_lr", "v11"])
        #expect(ablation.versions.map(\.on) == [[false, false], [true, false], [false, true], [true, true]])
        #expect(ablation.versions[3].file.lastPathComponent == "v11.yaml" && ablation.versions[3].text == nil)
    }

    @Test func aDerivedSpecExtendsItsBaseAndSetsOnlyItsVariable() throws {
        let ablation = try ablate("v10", "v11")
        let version = ablation.versions[2]
        let v10 = PipeRepository.root.appendingPathComponent("pipelines/v10.yaml").path
        #expect(version.text == """
            # Derived by pipe ablate: \(v10) with the values below.
            pipeline: v10_with_lr
            extends: \(v10)
            description: "v10 with train.optimizer.lr as in v11 (pipe ablate)"
            stages:
              train:
                optimizer:
                  lr: 0.006

            """)
        let derived = try version.load(kinds: .standard)
        let v10Spec = try seriesSpec("v10")
        #expect(derived.name == "v10_with_lr")
        #expect(ValueChange.between(v10Spec.resolved, derived.resolved).map(\.text) == ["train.optimizer.lr 0.002 -> 0.006"])
        // The one key rule: tiling and augmentation are shared from the cache, training and what reads it rerun.
        let comparison = SpecComparison(v10Spec, derived, registry: .standard)
        #expect(comparison.unchangedStages == ["tile", "augment"])
        #expect(comparison.changedStages.map(\.stage) == ["train", "validate", "infer", "submit"])
        try ablation.write()
        #expect(try String(contentsOf: version.file, encoding: .utf8) == version.text)
        #expect(version.file.deletingLastPathComponent().standardizedFileURL.path == directory.url.standardizedFileURL.path)
    }

    @Test func leaveOneOutTakesEachVariableOfBBack() throws {
        let ablation = try ablate("v10", "v11", .leaveOneOut)
        #expect(ablation.versions.map(\.name) == ["v11", "v11_without_lookahead", "v11_without_lr", "v10"])
        #expect(ablation.versions[1].text?.contains("lookahead: null") == true)
        let derived = try ablation.versions[1].load(kinds: .standard)
        #expect(ValueChange.between(derived.resolved, try seriesSpec("v11").resolved).map(\.path) == ["train.optimizer.lookahead"])
        #expect(ablation.contrasts.map(\.name) == ["train.optimizer.lookahead", "train.optimizer.lr", "together − sum of each",
                                                   "total (all of B)"])
        // B minus B-without-lookahead.
        #expect(ablation.contrasts[0].weights == [0: 1, 1: -1])
    }

    @Test func factorialRunsEveryCombinationAndReadsTheInteraction() throws {
        let ablation = try ablate("v10", "v11", .factorial)
        #expect(ablation.versions.map(\.name) == ["v10", "v10_with_lookahead", "v10_with_lr", "v11"])
        #expect(ablation.contrasts.map(\.name) == ["train.optimizer.lookahead", "train.optimizer.lr",
                                                   "train.optimizer.lookahead × train.optimizer.lr", "total (all of B)"])
        // Main effect: mean with it minus mean without; interaction: (y11 + y00 - y10 - y01) / 2.
        #expect(ablation.contrasts[0].weights == [0: -0.5, 1: 0.5, 2: -0.5, 3: 0.5])
        #expect(ablation.contrasts[2].weights == [0: 0.5, 1: -0.5, 2: -0.5, 3: 0.5])
    }

    @Test func aParamsChangeCarriesTheValuesInterpolatedFromIt() throws {
        // v06 halves params.size; tile.size is "${params.size}", so both differ, as one variable.
        let ablation = try ablate("v05", "v06")
        #expect(ablation.variables.map(\.path) == ["params.size"])
        #expect(ablation.variables[0].changes.map(\.path) == ["params.size", "tile.size"])
        #expect(ablation.versions.map(\.name) == ["v05", "v06"])
    }

    @Test func varsChoosesAndGroupsVariables() throws {
        let ablation = try ablate("v10", "v11", vars: ["train.optimizer"])
        #expect(ablation.variables.map(\.path) == ["train.optimizer"])
        #expect(ablation.variables[0].changes.count == 2)
        #expect(throws: AblationError.self) { try ablate("v10", "v11", vars: ["train.loss"]) }
        do {
            _ = try ablate("v10", "v11", vars: ["train.loss"])
        } catch let error as AblationError {
            #expect(error.description.hasPrefix("--vars 'train.loss' names no value that differs; the differences are: "))
        }
    }

    @Test func factorialRefusesAboveItsLimitWithTheCountItWouldNeed() throws {
        let one = try directory.write("one.yaml", """
            pipeline: one
            stages:
              fit: {kind: command, params: {a: 1, b: 1, c: 1, d: 1, e: 1}, cmd: "echo ok > out.txt", outs: [out.txt]}
            """)
        let two = try directory.write("two.yaml", """
            pipeline: two
            extends: one.yaml
            stages:
              fit: {params: {a: 2, b: 2, c: 2, d: 2, e: 2}}
            """)
        let loader = SpecLoader(registry: StageRegistry.standard.kinds)
        let (a, b) = (try loader.load(file: one), try loader.load(file: two))
        #expect(try Ablation(a, b, design: .oneAtATime, chosen: nil, directory: directory.url, kinds: .standard).variables.count == 5)
        do {
            _ = try Ablation(a, b, design: .factorial, chosen: nil, directory: directory.url, kinds: .standard)
            Issue.record("factorial with 5 variables was not refused")
        } catch let error as AblationError {
            #expect(error.description.hasPrefix("--factorial with 5 variables needs 2^5 = 32 versions; the limit is 4"))
        }
        // Four of them are allowed: 16 versions.
        let four = try Ablation(a, b, design: .factorial, chosen: ["fit.params.a", "fit.params.b", "fit.params.c", "fit.params.d"],
                                directory: directory.url, kinds: .standard)
        #expect(four.versions.count == 16)
        // The fifth difference, not chosen, stays at A's value: no version is B itself.
        #expect(!four.versions.contains { $0.name == "two" })
    }
}
