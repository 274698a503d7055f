import Foundation
import PipeCore
import PipeSpec
import Testing

/// Stage fields: defaults, number coercion, anyOf, references and paths.
@Suite struct StageValidationTests {
    @Test func defaultsAreFilledAndNumbersAccepted() throws {
        let spec = try loadSpec("""
            data: {train: {synthetic: {images: 2}}}
            stages:
              tile: {kind: tile, from: [data.train]}
              train: {kind: train, from: tile, optimizer: {lr: 1, lookahead: {k: 5}}, threshold: 0.5}
              other: {kind: train, from: tile, threshold: train}
            """)
        let train = try #require(spec.stage("train"))
        #expect(train.config == .object([
            "from": .string("tile"), "folds": .int(4), "loss": .string("bce"), "seed": .int(0),
            "optimizer": .object(["name": .string("adam"), "lr": .double(1),
                                  "lookahead": .object(["k": .int(5), "alpha": .double(0.5)])]),
            "threshold": .double(0.5),
        ]))
        #expect(spec.stage("tile")?.config["size"] == .int(256))
        #expect(spec.stage("other")?.inputs == [.stage("tile"), .stage("train")])
        #expect(train.location(of: "optimizer.lookahead.k") == SourceLocation(file: "spec.yaml", line: 4, column: 70))
        #expect(spec.data.first?.source == .generator(kind: "synthetic", options: .object([
            "images": .int(2), "side": .int(1024), "labels": .bool(true)])))
        #expect(spec.resolved["stages"]?["tile"] == .object([
            "kind": .string("tile"), "from": .array([.string("data.train")]), "size": .int(256), "reduce": .int(4)]))
    }

    @Test func dotSlashForcesAPathAndAmbiguityIsAnError() throws {
        let text = """
            stages:
              prep: {kind: command, cmd: x, outs: [o]}
              a: {kind: command, deps: [./prep], cmd: x, outs: [o]}
            """
        let spec = try loadSpec(text, files: ["prep/file.txt": "x"])
        #expect(spec.stage("a")?.inputs == [.path("./prep")])
        let ambiguous = text.replacingOccurrences(of: "[./prep]", with: "[prep]")
        #expect(try specErrors(ambiguous, files: ["prep/file.txt": "x"]) == [
            "spec.yaml:3:29: dependency 'prep' is both a stage and a path; write './prep' for the path or rename the stage",
        ])
        #expect(try loadSpec(ambiguous).stage("a")?.inputs == [.stage("prep")])
    }

    @Test func pathsAreNotCheckedWhenTheReaderSaysSo() throws {
        let project = try SpecProject(["spec.yaml": """
            data: {raw: data/raw}
            stages:
              a: {kind: command, deps: [scripts/x.py, data.raw], cmd: x, outs: [o]}
            """])
        defer { project.directory.remove() }
        let reader = SpecFileReader(read: { try String(contentsOf: $0, encoding: .utf8) }, checksPaths: false)
        let spec = try project.load(reader: reader)
        #expect(spec.stage("a")?.inputs == [.path("scripts/x.py"), .data("raw")])
        #expect(spec.data.first?.source == .path(project.directory.url.appendingPathComponent("data/raw").standardizedFileURL))
    }

    @Test func anyOfReportsTheAlternativeOfTheRightShape() throws {
        let errors = try specErrors("""
            data: {train: {synthetic: {images: 2}}}
            stages:
              tile: {kind: tile, from: data.train}
              train: {kind: train, from: tile, threshold: 1.5}
              other: {kind: train, from: tile, threshold: [1]}
            """)
        #expect(errors == [
            "spec.yaml:4:47: 'train.threshold': must be at most 1, got 1.5",
            "spec.yaml:5:47: 'other.threshold': expected a number or a stage name or data.NAME, got a list",
        ])
    }

    @Test func pipelineNameAndCounts() throws {
        let spec = try loadSpec("pipeline: v54\ndescription: hi\nstages: {}\n")
        #expect(spec.name == "v54")
        #expect(spec.description == "hi")
        #expect(spec.stages.isEmpty)
        #expect(spec.resolved == .object(["pipeline": .string("v54"), "description": .string("hi"),
                                          "params": .object([:]), "data": .object([:]), "stages": .object([:])]))
    }
}

@Suite struct PipelineNameTests {
    @Test func pipelineNameMustBeUsableAsADirectory() throws {
        #expect(try specErrors("pipeline: ../evil\nstages: {}\n") == [
            "spec.yaml:1:11: invalid pipeline name '../evil'; use letters, digits, '_', '.' and '-' (it names the runs directory)",
        ])
        #expect(try loadSpec("pipeline: hello-v1.2\n").name == "hello-v1.2")
    }

    /// `resources.extra` from a spec: an option pipe sets to follow its jobs is a located error.
    @Test func extraSbatchOptionsThatWouldHideTheJobAreLocatedErrors() throws {
        let errors = try specErrors("""
            stages:
              a: {kind: command, cmd: x, outs: [o], resources: {extra: ["--constraint=avx512", "--job-name=mine", "-o/tmp/x"]}}
            """)
        #expect(errors.count == 2, "\(errors)")
        #expect(errors.allSatisfy { $0.contains("is set by pipe to follow its jobs") && $0.hasPrefix("spec.yaml:2:") }, "\(errors)")
    }
}
