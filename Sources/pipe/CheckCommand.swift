import ArgumentParser

/// `pipe check SPEC`: validates a spec and reports every problem at once.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check", abstract: "Validate a pipeline spec, reporting every problem at once.")

    @OptionGroup var options: SpecOptions

    func run() throws {
        let spec = try options.load()
        let stages = plural(spec.stages.count, "stage")
        let data = plural(spec.data.count, "data source")
        print("ok: \(options.spec) (\(stages), \(data))")
    }

    private func plural(_ count: Int, _ noun: String) -> String { "\(count) \(noun)\(count == 1 ? "" : "s")" }
}
