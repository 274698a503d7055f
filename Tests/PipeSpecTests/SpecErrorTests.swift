import Foundation
import PipeCore
import Testing

/// Every error names its place (`file:line:col`) and says how to fix it.
@Suite struct SpecErrorTests {
    @Test func unknownKindSuggestsTheClosest() throws {
        let errors = try specErrors("""
            data: {train: {synthetic: {images: 2}}}
            stages:
              tile: {kind: tiel, from: data.train}
            """)
        #expect(errors == ["spec.yaml:3:16: unknown stage kind 'tiel'; did you mean 'tile'?"])
    }

    @Test func unknownKeySuggestsTheClosest() throws {
        let errors = try specErrors("""
            stages:
              fit:
                kind: command
                cmd: make
                outz: [model.bin]
            """)
        #expect(errors == [
            "spec.yaml:2:3: stage 'fit' is missing required key 'outs'",
            "spec.yaml:5:5: unknown key 'outz' in stage 'fit'; did you mean 'outs'?",
        ])
    }

    @Test func unknownTopLevelKey() throws {
        let errors = try specErrors("stags: {}\n")
        #expect(errors == ["spec.yaml:1:1: unknown top-level key 'stags'; did you mean 'stages'?"])
    }

    @Test func wrongTypeDeepInsideANestedField() throws {
        let errors = try specErrors("""
            data: {train: {synthetic: {images: 2}}}
            stages:
              tile: {kind: tile, from: data.train}
              train:
                kind: train
                from: tile
                optimizer:
                  lr: 1e-3
                  lookahead: {k: abc, alpha: 0.5}
            """)
        #expect(errors == ["spec.yaml:9:22: 'train.optimizer.lookahead.k': expected an integer, got \"abc\""])
    }

    @Test func numberFieldReportsTheString() throws {
        let errors = try specErrors("""
            data: {train: {synthetic: {images: 2}}}
            stages:
              tile: {kind: tile, from: data.train}
              train: {kind: train, from: tile, optimizer: {lr: abc}}
            """)
        #expect(errors == ["spec.yaml:4:52: 'train.optimizer.lr': expected a number, got \"abc\""])
    }

    @Test func duplicateKeyIsReportedAtTheSecond() throws {
        let errors = try specErrors("""
            params:
              lr: 0.1
              lr: 0.2
            stages: {}
            """)
        #expect(errors == ["spec.yaml:3:3: duplicate key 'lr' (first at line 2); keep only one"])
    }

    @Test func tabIndentationIsASyntaxError() throws {
        let errors = try specErrors("stages:\n\tfit: {kind: command}\n")
        #expect(errors == [
            "spec.yaml:2:1: yaml syntax error: found character that cannot start any token "
                + "while scanning for the next token; indent with spaces, not tabs",
        ])
    }

    @Test func unclosedFlowMappingIsASyntaxError() throws {
        let errors = try specErrors("stages: {fit: {kind: command}\nparams: {}\n")
        #expect(errors == [
            "spec.yaml:2:1: yaml syntax error: did not find expected ',' or '}' while parsing a flow mapping "
                + "(started at line 1)",
        ])
    }

    @Test func danglingReferenceSuggestsTheClosest() throws {
        let errors = try specErrors("""
            data: {train: {synthetic: {images: 2}}}
            stages:
              tile: {kind: tile, from: [data.trian]}
              train: {kind: train, from: tiel}
            """)
        #expect(errors == [
            "spec.yaml:3:29: unknown reference 'data.trian'; did you mean 'data.train'?",
            "spec.yaml:4:30: unknown reference 'tiel'; did you mean 'tile'?",
        ])
    }

    @Test func stageCycleIsOneDiagnosticAtTheFirstStage() throws {
        let errors = try specErrors("""
            stages:
              a: {kind: command, deps: [c], cmd: x, outs: [o]}
              b: {kind: command, deps: [a], cmd: x, outs: [o]}
              c: {kind: command, deps: [b], cmd: x, outs: [o]}
              d: {kind: command, deps: [d], cmd: x, outs: [o]}
            """)
        #expect(errors == [
            "spec.yaml:2:3: stages form a cycle: a -> c -> b -> a; remove one of these references",
            "spec.yaml:5:3: stages form a cycle: d -> d; remove one of these references",
        ])
    }

    @Test func extendsCycleNamesTheChain() throws {
        let project = try SpecProject([
            "v1.yaml": "extends: v3.yaml\nstages: {}\n",
            "v2.yaml": "extends: v1.yaml\n",
            "v3.yaml": "extends: v2.yaml\n",
        ])
        defer { project.directory.remove() }
        #expect(project.errors("v3.yaml") == [
            "v1.yaml:1:10: extends cycle: v3.yaml -> v2.yaml -> v1.yaml -> v3.yaml; remove one of these 'extends'",
        ])
    }

    @Test func missingExtendsFileIsReportedAtTheValue() throws {
        let project = try SpecProject(["pipelines/v54.yaml": "pipeline: v54\nextends: v43.yaml\nstages: {}\n"])
        defer { project.directory.remove() }
        #expect(project.errors("pipelines/v54.yaml") == [
            "pipelines/v54.yaml:2:10: cannot read extended spec 'pipelines/v43.yaml': no such file; "
                + "fix the 'extends' path",
        ])
    }

    @Test func unknownParamSuggestsTheClosest() throws {
        let errors = try specErrors("""
            params: {size: 256}
            stages:
              prep: {kind: command, cmd: "run --size ${params.sise}", outs: [o]}
            """)
        #expect(errors == ["spec.yaml:3:30: unknown parameter '${params.sise}'; did you mean 'params.size'?"])
    }

    @Test func manyErrorsAreReportedTogether() throws {
        let errors = try specErrors("""
            pipeline: v1
            params: {lr: 0.1}
            data:
              train: {synthetic: {images: 0, labels: yes}}
            stages:
              tile: {kind: tile, from: data.train, size: 8}
              train: {kind: train, from: tile, loss: bce_jacard, folds: 2.5, seed: "${params.seed}"}
              post: {kind: comand}
            """)
        #expect(errors == [
            "spec.yaml:4:31: 'data.train.synthetic.images': must be at least 1, got 0",
            "spec.yaml:4:42: 'data.train.synthetic.labels': expected true or false, got \"yes\"",
            "spec.yaml:6:46: 'tile.size': must be at least 32, got 8",
            "spec.yaml:7:42: unknown value 'bce_jacard' for 'train.loss'; did you mean 'bce_jaccard'?",
            "spec.yaml:7:61: 'train.folds': expected an integer, got 2.5",
            "spec.yaml:7:72: unknown parameter '${params.seed}'; define 'params.seed' under params",
            "spec.yaml:8:16: unknown stage kind 'comand'; did you mean 'command'?",
        ])
    }

    @Test func missingSpecFileHasNoLocation() throws {
        let project = try SpecProject([:])
        defer { project.directory.remove() }
        #expect(project.errors("nope.yaml") == ["cannot read spec 'nope.yaml': no such file"])
    }

    @Test func invalidUTF8IsLocated() throws {
        let project = try SpecProject([:])
        defer { project.directory.remove() }
        try Data([0x61, 0x3A, 0x20, 0xFF, 0xFE, 0x0A]).write(to: project.directory.file("g.yaml"))
        #expect(project.errors("g.yaml") == ["g.yaml:1:4: byte 0xFF is not UTF-8 text; save the spec as UTF-8"])
    }

    @Test func reservedAndInvalidStageNames() throws {
        let errors = try specErrors("""
            stages:
              params: {kind: command, cmd: x, outs: [o]}
              2fast: {kind: command, cmd: x, outs: [o]}
            """)
        #expect(errors == [
            "spec.yaml:2:3: a stage may not be called 'params' (reserved); rename it",
            "spec.yaml:3:3: invalid stage name '2fast'; use letters, digits, '_' and '-', starting with a letter or '_'",
        ])
    }

    @Test func missingPathDependencyAndDataPath() throws {
        let errors = try specErrors("""
            data: {raw: data/raw}
            stages:
              prep: {kind: command, deps: [prpe, scripts/prep.py], cmd: x, outs: [o]}
            """)
        #expect(errors.count == 3)
        #expect(errors[0].hasPrefix("spec.yaml:1:13: data source 'raw': path 'data/raw' does not exist (looked for /"))
        #expect(errors[1] == "spec.yaml:3:32: dependency 'prpe' is neither a stage, a data source nor an existing path; "
                    + "did you mean 'prep'?")
        #expect(errors[2].hasPrefix("spec.yaml:3:38: dependency 'scripts/prep.py' is neither a stage"))
    }

    @Test func unknownDataGenerator() throws {
        let errors = try specErrors("data: {train: {synthtic: {images: 2}}}\n")
        #expect(errors == ["spec.yaml:1:16: unknown data generator 'synthtic' for data source 'train'; did you mean 'synthetic'?"])
    }

    @Test func paramsCycle() throws {
        let errors = try specErrors("""
            params: {a: "${params.b}", b: "x${params.a}"}
            stages: {}
            """)
        #expect(errors == [
            "spec.yaml:1:31: params form a cycle: params.a -> params.b -> params.a; replace one reference with a value",
        ])
    }
}
