import ArgumentParser

/// `pipe schema`: prints the JSON Schema of the pipeline spec.
struct SchemaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schema", abstract: "Print the JSON Schema of the pipeline spec.")

    func run() throws {
        print("{}")
    }
}
