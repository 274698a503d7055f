import Foundation
import PipeCore

/// What references in a spec may name: its stages, its data sources, and
/// (for command `deps`) paths relative to the spec.
struct ReferenceScope {
    var stageNames: [String]
    var dataNames: [String]
    var base: URL
    var reader: SpecFileReader

    /// Every name a reference may use: stages, then `data.NAME`.
    var candidates: [String] { stageNames + dataNames.map { "data.\($0)" } }

    /// The reference `text` names, or the reason it names nothing.
    func reference(_ text: String) -> Result<Reference, Diagnostic> {
        if text.hasPrefix("data.") {
            let name = String(text.dropFirst(5))
            if dataNames.contains(name) { return .success(.data(name)) }
        } else if stageNames.contains(text) {
            return .success(.stage(text))
        }
        return .failure(Diagnostic(dangling(text)))
    }

    /// A command dependency: a stage or `data.NAME` is a reference, anything
    /// else a path relative to the spec (which must exist when paths are
    /// checked); `./name` forces a path.
    func dependency(_ text: String) -> Result<Reference, Diagnostic> {
        if text.hasPrefix("./") || text.hasPrefix("../") || text.hasPrefix("/") { return path(text) }
        if stageNames.contains(text) {
            if reader.checksPaths, reader.exists(text, relativeTo: base) {
                return .failure(Diagnostic(
                    "dependency '\(text)' is both a stage and a path; write './\(text)' for the path or rename the stage"))
            }
            return .success(.stage(text))
        }
        if text.hasPrefix("data."), dataNames.contains(String(text.dropFirst(5))) {
            return .success(.data(String(text.dropFirst(5))))
        }
        if text.hasPrefix("data."), !reader.exists(text, relativeTo: base) { return .failure(Diagnostic(dangling(text))) }
        return path(text)
    }

    private func path(_ text: String) -> Result<Reference, Diagnostic> {
        if let problem = SpecPaths.escapeProblem(text, allowsDotSlash: true) {
            let outside = text.hasPrefix("/") || text.split(separator: "/").contains("..")
            let fix = outside ? "declare it as a data source (data: {NAME: '\(text)'}) and depend on data.NAME"
                : "name a file or directory inside the spec's directory"
            return .failure(Diagnostic("dependency '\(text)' \(problem); \(fix)"))
        }
        if reader.exists(text, relativeTo: base) { return .success(.path(text)) }
        var message = "dependency '\(text)' is neither a stage, a data source nor an existing path"
        if let match = closestMatch(to: text, in: candidates) {
            message += "; did you mean '\(match)'?"
        } else {
            message += " (looked for \(SpecPaths.resolve(text, relativeTo: base).path)); create it or fix the name"
        }
        return .failure(Diagnostic(message))
    }

    private func dangling(_ text: String) -> String {
        if let match = closestMatch(to: text, in: candidates) {
            return "unknown reference '\(text)'; did you mean '\(match)'?"
        }
        if candidates.isEmpty { return "unknown reference '\(text)'; the spec has no stages or data sources to name" }
        return "unknown reference '\(text)'; name a stage or data.NAME (\(candidates.map { "'\($0)'" }.joined(separator: ", ")))"
    }
}
