import Foundation
import PipeCore
import PipeSpec

/// Substitutes `${stage.params.X}`, `${deps.NAME}` and `${item}` into a
/// command's `cmd`: shell-quoted inside a shell string, verbatim in an argv list.
struct CommandSubstitution {
    let stage: StageSpec
    let item: TaskItem
    let inputs: [InputArtifact]

    /// The argv to execute: `["/bin/sh", "-c", string]` for a shell string.
    func argv() throws -> [String] {
        switch stage.config["cmd"] {
        case .string(let text)?:
            return ["/bin/sh", "-c", try substitute(text, quoting: true, field: "cmd")]
        case .array(let items)?:
            let argv = try items.enumerated().map { try substitute($1.display, quoting: false, field: "cmd.\($0)") }
            guard !argv.isEmpty else { throw StageError("cmd is an empty list; give the program to run", at: stage.location(of: "cmd")) }
            return argv
        default:
            throw StageError("cmd must be a string or a list of strings", at: stage.location(of: "cmd"))
        }
    }

    /// `text` with its `${...}` references resolved. With `quoting`, each value
    /// is shell-quoted for the context it lands in (`ShellQuoteContext`): the
    /// shell reads its exact bytes as literal text, or the task fails when no
    /// quoting is safe there (a here-document, backquotes).
    func substitute(_ text: String, quoting: Bool, field: String) throws -> String {
        var result = ""
        var scanner = ShellQuoteScanner()
        var rest = Substring(text)
        while let start = rest.range(of: "${") {
            if start.lowerBound > rest.startIndex, rest[rest.index(before: start.lowerBound)] == "$" {
                // `$${` is a literal `${` (left for the command's own shell or tool).
                let code = rest[..<rest.index(before: start.lowerBound)] + "${"
                result += code
                scanner.feed(code)
                rest = rest[start.upperBound...]
                continue
            }
            result += rest[..<start.lowerBound]
            scanner.feed(rest[..<start.lowerBound])
            guard let end = rest[start.upperBound...].firstIndex(of: "}") else {
                throw StageError("unterminated '${' in \(field)", at: stage.location(of: field))
            }
            let name = String(rest[start.upperBound..<end])
            let value = try resolve(name, field: field)
            if quoting {
                guard let quoted = scanner.context.quote(value) else {
                    let reason: String
                    if case .unsafe(let place) = scanner.context { reason = place } else { reason = "(it holds a NUL byte)" }
                    throw StageError("'${\(name)}' cannot be shell-quoted \(reason) (in \(field))",
                                     at: stage.location(of: field))
                }
                result += quoted
                scanner.feed(quoted)
            } else {
                result += value
            }
            rest = rest[rest.index(after: end)...]
        }
        return result + rest
    }

    func resolve(_ name: String, field: String) throws -> String {
        if name == "item" {
            guard item.index != nil else {
                throw StageError("'${item}' is only available in a stage with foreach", at: stage.location(of: field))
            }
            return item.value.display
        }
        if name.hasPrefix("stage.params.") {
            let path = name.dropFirst("stage.params.".count).split(separator: ".").map(String.init)
            guard let value = stage.config["params"]?.value(at: path) else {
                let known = stage.config["params"]?.flattened().keys.map { "stage.params.\($0)" } ?? []
                let hint = closestMatch(to: name, in: known).map { "; did you mean '${\($0)}'?" } ?? ""
                throw StageError("unknown '${\(name)}' in \(field)\(hint)", at: stage.location(of: field))
            }
            return value.display
        }
        if name.hasPrefix("deps.") {
            let dep = String(name.dropFirst("deps.".count))
            guard let input = inputs.first(where: { $0.name == dep || $0.name == "./\(dep)" }) else {
                let hint = closestMatch(to: dep, in: inputs.map(\.name)).map { "; did you mean '${deps.\($0)}'?" }
                    ?? "; add it to deps"
                throw StageError("'${\(name)}' is not a declared dependency\(hint)", at: stage.location(of: field))
            }
            return input.path.path
        }
        if name == "stage.name" { return stage.name }
        throw StageError("unknown '${\(name)}' in \(field); use ${stage.params.NAME}, ${deps.NAME} or ${item}",
                         at: stage.location(of: field))
    }
}
