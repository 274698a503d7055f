import ArgumentParser
import Foundation
import PipeCore
import PipeSpec

/// The SPEC argument and `--set` overrides shared by every command that reads a pipeline.
struct SpecOptions: ParsableArguments {
    @Argument(help: "The pipeline spec (YAML).") var spec: String
    @Option(name: .customLong("set"), help: "Override a value: key.path=value (repeatable), e.g. --set train.lr=5e-4.")
    var overrides: [String] = []

    /// Loads and validates the spec; on problems prints them all and exits 2.
    func load() throws -> PipelineSpec {
        do {
            return try SpecLoader(registry: KindCatalog.registry).load(file: URL(fileURLWithPath: spec), overrides: overrides)
        } catch let diagnostics as Diagnostics {
            throw Failure.usage(diagnostics.description)
        }
    }
}
