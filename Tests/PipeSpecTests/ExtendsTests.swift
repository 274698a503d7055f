import Foundation
import PipeCore
import PipeSpec
import Testing

/// `extends`: deep merge child over parent, lists replace, null deletes.
@Suite final class ExtendsTests {
    let project: SpecProject

    deinit { project.directory.remove() }

    init() throws {
        project = try SpecProject([
            "pipelines/v1.yaml": """
                pipeline: base
                description: the first one
                params: {size: 256, lr: 0.001, extra: {a: 1, b: 2}}
                stages:
                  prep: {kind: command, cmd: prep, outs: [a, b], params: {size: "${params.size}"}}
                """,
            "pipelines/v2.yaml": """
                extends: v1.yaml
                params: {lr: 0.0005, extra: {b: null, c: 3}}
                stages:
                  prep: {outs: [c]}
                  fit: {kind: command, deps: [prep], cmd: fit, outs: [model.bin]}
                """,
            "pipelines/sub/v3.yaml": """
                pipeline: v3
                extends: ../v2.yaml
                params: {size: 512}
                stages:
                  fit: {env: {THREADS: "1"}}
                """,
        ])
    }

    @Test func childMergesOverParentListsReplaceNullDeletes() throws {
        let spec = try project.load("pipelines/v2.yaml")
        #expect(spec.name == "v2")
        #expect(spec.description == nil)
        #expect(spec.params == .object(["size": .int(256), "lr": .double(0.0005),
                                        "extra": .object(["a": .int(1), "c": .int(3)])]))
        #expect(spec.stage("prep")?.config["outs"] == .array([.string("c")]))
        #expect(spec.stage("prep")?.config["cmd"] == .string("prep"))
        #expect(spec.stages.map(\.name) == ["prep", "fit"])
        #expect(spec.ancestors.map(\.name) == ["base"])
        #expect(spec.resolved["extends"] == .string("v1.yaml"))
    }

    @Test func threeLevelChainResolvesInOrder() throws {
        let spec = try project.load("pipelines/sub/v3.yaml")
        #expect(spec.name == "v3")
        #expect(spec.ancestors.map(\.name) == ["v2", "base"])
        #expect(spec.ancestors.map(\.file.lastPathComponent) == ["v2.yaml", "v1.yaml"])
        #expect(spec.stage("prep")?.config["params"] == .object(["size": .int(512)]))
        #expect(spec.stage("fit")?.config["env"] == .object(["THREADS": .string("1")]))
        #expect(spec.stage("fit")?.config["outs"] == .array([.string("model.bin")]))
    }

    @Test func switchingKindOrDataFormReplacesTheEntry() throws {
        try project.directory.write("pipelines/gen.yaml", """
            data: {train: {synthetic: {images: 2}}}
            stages:
              tile: {kind: tile, from: data.train, reduce: 2}
            """)
        try project.directory.write("pipelines/real.yaml", """
            extends: gen.yaml
            data: {train: {path: ../raw}}
            stages:
              tile: {kind: command, deps: [data.train], cmd: tile, outs: [tiles]}
            """)
        try project.directory.write("raw/x.tiff", "x")
        let spec = try project.load("pipelines/real.yaml")
        #expect(spec.data.first?.source == .path(project.directory.url.appendingPathComponent("raw").standardizedFileURL))
        #expect(spec.stage("tile")?.kind == "command")
        #expect(spec.stage("tile")?.config["reduce"] == nil)
    }

    @Test func errorsInAParentPointAtTheParent() throws {
        try project.directory.write("pipelines/v4.yaml", "extends: v1.yaml\nstages: {prep: {outz: [x]}}\n")
        try project.directory.write("pipelines/bad.yaml", "stages: {prep: {kind: command, cmd: 5, outs: []}}\n")
        try project.directory.write("pipelines/v5.yaml", "extends: bad.yaml\n")
        #expect(project.errors("pipelines/v4.yaml") == [
            "pipelines/v4.yaml:2:17: unknown key 'outz' in stage 'prep'; did you mean 'outs'?",
        ])
        #expect(project.errors("pipelines/v5.yaml") == [
            "pipelines/bad.yaml:1:37: 'prep.cmd': expected a string or a list of strings, got 5",
        ])
    }
}
