import PipeCore
import PipeSpec
import Testing

/// `--set key.path=value`, applied after extends and before interpolation.
@Suite struct OverrideTests {
    let text = """
        params: {size: 256}
        data: {train: {synthetic: {images: 2}}}
        stages:
          tile: {kind: tile, from: data.train, size: "${params.size}"}
          train: {kind: train, from: tile, optimizer: {lr: 0.001}}
        """

    @Test func shortAndLongFormsReachTheStage() throws {
        let spec = try loadSpec(text, overrides: [
            "train.optimizer.lr=5e-4", "stages.train.folds=2", "params.size=512", "train.tta=[none, flip_h]",
            "data.train.synthetic.images=3",
        ])
        let train = try #require(spec.stage("train"))
        #expect(train.config["optimizer"]?["lr"] == .double(0.0005))
        #expect(train.config["folds"] == .int(2))
        #expect(train.config["tta"] == .array([.string("none"), .string("flip_h")]))
        #expect(spec.stage("tile")?.config["size"] == .int(512))
        #expect(spec.data.first?.source == .generator(kind: "synthetic", options: .object([
            "images": .int(3), "side": .int(1024), "labels": .bool(true)])))
    }

    @Test func newKeyInAStageIsValidated() throws {
        let spec = try loadSpec(text, overrides: ["train.seed=7"])
        #expect(spec.stage("train")?.config["seed"] == .int(7))
        let errors = try specErrors(text, overrides: ["train.sede=7", "train.folds=\"4\""])
        #expect(errors == [
            "--set train.sede=7:1:12: unknown key 'sede' in stage 'train'; did you mean 'seed'?",
            "--set train.folds=\"4\":1:13: 'train.folds': expected an integer, got \"4\"",
        ])
    }

    @Test func unknownTargetsSuggest() throws {
        let errors = try specErrors(text, overrides: ["trian.lr=1", "stages.tiel.size=3", "params.size.x=1", "nokey"])
        #expect(errors == [
            "unknown --set target 'trian'; did you mean 'train'? (in 'trian.lr')",
            "unknown stage in --set 'stages.tiel.size' 'tiel'; did you mean 'tile'?",
            "--set 'params.size.x=1': 'params.size' is 256, not a mapping",
            "--set expects key.path=value, got 'nokey'",
        ])
    }
}

@Suite struct OverrideValueTests {
    @Test func flowValuesAndQuotedStrings() throws {
        let spec = try loadSpec("""
            params: {size: 256, tags: [a]}
            stages:
              fit: {kind: command, cmd: x, outs: [o]}
            """, overrides: ["fit.env={A: '1', B: x}", "params.tags=[b, c]", "params.size='512'", "fit.cmd=echo: hi #1",
                             "params.new=yes"])
        #expect(spec.stage("fit")?.config["env"] == .object(["A": .string("1"), "B": .string("x")]))
        #expect(spec.stage("fit")?.config["cmd"] == .string("echo: hi #1"))
        #expect(spec.params == .object(["size": .string("512"), "tags": .array([.string("b"), .string("c")]),
                                        "new": .string("yes")]))
    }

    @Test func replacingASectionWithAScalarIsReported() throws {
        #expect(try specErrors("stages: {}\n", overrides: ["stages=5"]) == [
            "--set stages=5:1:8: 'stages' must be a mapping of names to values, got 5",
        ])
    }

    @Test func brokenFlowValueIsAYAMLError() throws {
        let errors = try specErrors("stages: {}\n", overrides: ["params.x=[1, 2"])
        #expect(errors.count == 1)
        #expect(errors.first?.hasPrefix("--set params.x=[1, 2:") == true)
        #expect(errors.first?.contains("yaml syntax error") == true)
    }
}
