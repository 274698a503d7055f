import Foundation
import PipeCore
@testable import PipeSpec
import TestSupport
import Testing

/// The repository root, found from this file's path.
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()


/// The JSON Schema: generated from the registry, committed, and accepted by
/// `jsonschema` for every spec in the repository.
@Suite struct SchemaTests {
    let committedURL = repositoryRoot.appendingPathComponent("schemas/pipeline.schema.json")

    @Test func committedSchemaMatchesPipeSchema() throws {
        let generated = try runProcess(PipeBinary.path, ["schema"])
        #expect(generated.status == 0)
        let committed = try String(contentsOf: committedURL, encoding: .utf8)
        let same = generated.stdout == committed
        #expect(same, "schemas/pipeline.schema.json is stale: run `.build/debug/pipe schema > schemas/pipeline.schema.json`")
    }

    @Test func commandKindInTheCommittedSchemaIsCurrent() throws {
        let committed = try JSONValue(parsing: Data(contentsOf: committedURL))
        let generated = SchemaGenerator.jsonSchema(for: KindRegistry(stageKinds: [CommandKind.schema]))
        for name in ["stage-command", "stage-command-patch", "interpolation", "name"] {
            let same = committed["$defs"]?[name] == generated["$defs"]?[name]
            #expect(same, "$defs/\(name) differs: regenerate schemas/pipeline.schema.json with `pipe schema`")
        }
        let sameTopLevel = committed["properties"] == generated["properties"]
        #expect(sameTopLevel, "top-level properties differ: regenerate schemas/pipeline.schema.json")
    }

    @Test func kindsAreDiscriminatedWithTypedFields() throws {
        let schema = SchemaGenerator.jsonSchema(for: TestKinds.registry)
        #expect(schema["$schema"] == .string("https://json-schema.org/draft/2020-12/schema"))
        #expect(schema["additionalProperties"] == .bool(false))
        let stage = try #require(schema["$defs"]?["stage"])
        #expect(stage["properties"]?["kind"]?["enum"] == .array([.string("command"), .string("tile"), .string("train")]))
        #expect(stage["allOf"]?.arrayValue?.count == 3)
        let train = try #require(schema["$defs"]?["stage-train"])
        #expect(train["additionalProperties"] == .bool(false))
        #expect(train["required"] == .array([.string("from")]))
        #expect(train["description"] == .string("Train a model."))
        let folds = try #require(train["properties"]?["folds"])
        #expect(folds["default"] == .int(4))
        #expect(folds["description"] == .string("Cross-validation folds."))
        let strict = folds["anyOf"]?.arrayValue?.first
        #expect(strict == .object(["type": .string("integer"), "minimum": .int(1), "maximum": .int(10)]))
        #expect(folds["anyOf"]?.arrayValue?[1] == .object(["$ref": .string("#/$defs/interpolation")]))
        let loss = train["properties"]?["loss"]?["anyOf"]?.arrayValue?.first
        #expect(loss == .object(["enum": .array([.string("bce"), .string("bce_jaccard"), .string("lovasz")])]))
        #expect(schema["$defs"]?["generator-synthetic"]?["required"] == .array([.string("synthetic")]))
    }

    @Test(.enabled(if: pythonHas("jsonschema", "yaml"), "needs python3 with jsonschema and yaml"))
    func everySpecInTheRepositoryValidates() throws {
        let fixtures = repositoryRoot.appendingPathComponent("schemas/fixtures")
        var arguments = [committedURL.path]
        arguments += try yamlFiles(in: repositoryRoot.appendingPathComponent("pipelines"), recursive: false).map(\.path)
        arguments += try yamlFiles(in: repositoryRoot.appendingPathComponent("examples"), recursive: true).map(\.path)
        arguments += try yamlFiles(in: fixtures.appendingPathComponent("valid"), recursive: false).map(\.path)
        let invalid = try yamlFiles(in: fixtures.appendingPathComponent("invalid"), recursive: false)
        #expect(invalid.count >= 5)
        arguments += invalid.map { "!" + $0.path }
        let script = repositoryRoot.appendingPathComponent("schemas/validate_specs.py").path
        let result = try runProcess("python3", [script] + arguments)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
    }

    private func yamlFiles(in directory: URL, recursive: Bool) throws -> [URL] {
        guard FileManager.default.fileExists(atPath: directory.path) else { return [] }
        let urls: [URL]
        if recursive {
            let enumerator = FileManager.default.enumerator(at: directory, includingPropertiesForKeys: nil)
            urls = (enumerator?.allObjects as? [URL]) ?? []
        } else {
            urls = try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
        }
        return urls.filter { $0.pathExtension == "yaml" || $0.pathExtension == "yml" }
            .sorted { $0.path < $1.path }
    }
}

/// The schema fixtures are specs the loader agrees about too.
@Suite struct FixtureTests {
    let fixtures = repositoryRoot.appendingPathComponent("schemas/fixtures")
    let loader = SpecLoader(registry: KindRegistry(stageKinds: [CommandKind.schema]),
                            reader: SpecFileReader(read: { try String(contentsOf: $0, encoding: .utf8) }, checksPaths: false))

    @Test(arguments: ["commands.yaml", "child.yaml"])
    func validFixturesLoad(name: String) throws {
        let spec = try loader.load(file: fixtures.appendingPathComponent("valid/\(name)"))
        #expect(spec.stages.map(\.name) == ["prep", "fit"])
    }

    @Test func childFixtureDeletesWithNull() throws {
        let spec = try loader.load(file: fixtures.appendingPathComponent("valid/child.yaml"))
        #expect(spec.params == .object(["size": .int(256), "lr": .double(5e-4)]))
        #expect(spec.data.map(\.name) == ["raw"])
        #expect(spec.stage("fit")?.config["foreach"] == nil)
        #expect(spec.stage("fit")?.config["params"] == .object(["lr": .double(5e-4)]))
        #expect(spec.ancestors.map(\.name) == ["commands"])
    }

    @Test(arguments: ["unknown-key.yaml", "wrong-type.yaml", "unknown-kind.yaml", "missing-required.yaml", "top-level.yaml"])
    func invalidFixturesFail(name: String) throws {
        #expect(throws: Diagnostics.self) {
            try loader.load(file: fixtures.appendingPathComponent("invalid/\(name)"))
        }
    }
}
