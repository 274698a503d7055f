import ArgumentParser
import Foundation
import PipeCore
import PipeSpec

/// The spec argument and `--set` overrides shared by every command that
/// reads a pipeline (check, show, run, plan).
struct SpecOptions: ParsableArguments {
    @Argument(help: "The pipeline spec (YAML).")
    var spec: String

    @Option(name: .customLong("set"),
            help: ArgumentHelp("Override a value after extends, e.g. --set train.lr=5e-4 (repeatable).",
                               valueName: "key.path=value"))
    var overrides: [String] = []

    /// The spec file; a relative path stays relative in messages.
    var url: URL { URL(fileURLWithPath: spec) }

    /// Loads and validates the spec; on problems prints them all and throws exit code 2.
    func load(registry: KindRegistry = KindCatalog.registry, reader: SpecFileReader = .disk) throws -> PipelineSpec {
        do {
            return try SpecLoader(registry: registry, reader: reader).load(file: url, overrides: overrides)
        } catch let diagnostics as Diagnostics {
            throw Failure.spec(diagnostics)
        }
    }
}
