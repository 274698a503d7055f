import ArgumentParser
import PipeCore
import PipeSpec

/// `pipe show SPEC [--stage S] [--json]`: the fully resolved spec (after
/// extends, --set and interpolation, defaults filled in).
struct ShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Print the fully resolved spec (after extends, --set and interpolation).")

    @OptionGroup var options: SpecOptions

    @Option(help: "Print only this stage's resolved config.")
    var stage: String?

    @OptionGroup var workspace: WorkspaceOptions

    @Flag(help: "Print JSON instead of YAML.")
    var json = false

    func run() throws {
        let spec = try options.load()
        let value: JSONValue
        var order = ["pipeline", "extends", "description", "params", "data", "stages"]
        if let stage {
            guard let resolved = spec.resolved["stages"]?[stage] else {
                let names = spec.stages.map(\.name)
                let hint = closestMatch(to: stage, in: names).map { "; did you mean '\($0)'?" }
                    ?? "; stages are \(names.map { "'\($0)'" }.joined(separator: ", "))"
                throw Failure.spec("no stage '\(stage)' in \(options.spec)\(hint)")
            }
            value = resolved
            order = ["kind"]
        } else {
            value = spec.resolved
        }
        if json {
            print(value.prettyString)
        } else if stage == nil {
            print(Self.ordered(spec), terminator: "")
            print("# outputs (after pipe run):")
            for name in spec.stages.map(\.name) {
                print("#   \(name): \(workspace.outputFolder(pipeline: spec.name, stage: name))/")
            }
        } else {
            print(SpecRendering.yaml(value, keyOrder: order), terminator: "")
        }
    }

    /// The resolved spec with data sources and stages in the order written, `kind` first.
    static func ordered(_ spec: PipelineSpec) -> String {
        var out = ""
        for key in ["pipeline", "extends", "description", "params"] {
            if let value = spec.resolved[key] { out += SpecRendering.yaml(.object([key: value])) }
        }
        out += section("data", spec.data.map(\.name), in: spec.resolved["data"], keyOrder: [])
        out += section("stages", spec.stages.map(\.name), in: spec.resolved["stages"], keyOrder: ["kind"])
        return out
    }

    private static func section(_ title: String, _ names: [String], in value: JSONValue?, keyOrder: [String]) -> String {
        guard let value, !names.isEmpty else { return "\(title): {}\n" }
        var out = "\(title):\n"
        for name in names {
            guard let member = value[name] else { continue }
            let body = SpecRendering.yaml(.object([name: member]), keyOrder: [])
            if case .object = member, member.objectValue?.isEmpty == false {
                out += "  \(SpecRendering.scalar(.string(name))):\n"
                out += indent(SpecRendering.yaml(member, keyOrder: keyOrder), by: "    ")
            } else {
                out += indent(body, by: "  ")
            }
        }
        return out
    }

    private static func indent(_ text: String, by pad: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map { pad + $0 + "\n" }.joined()
    }
}
