import ArgumentParser
import PipeSpec

/// `pipe schema`: prints the JSON Schema of the pipeline spec, generated from
/// the kinds in `KindCatalog` (pretty, sorted keys). The committed copy is
/// `schemas/pipeline.schema.json`: regenerate it with `pipe schema > schemas/pipeline.schema.json`.
struct SchemaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schema", abstract: "Print the JSON Schema of the pipeline spec.")

    func run() throws {
        print(SchemaGenerator.jsonSchema(for: KindCatalog.registry).prettyString)
    }
}
