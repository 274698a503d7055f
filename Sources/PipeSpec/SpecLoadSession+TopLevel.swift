import PipeCore

/// The keys a spec may have at its top level.
let topLevelKeys = ["pipeline", "extends", "description", "params", "data", "stages", "settings"]

/// Stage names that would shadow interpolation namespaces or the data prefix.
let reservedStageNames = ["data", "params", "stage", "deps", "item"]

extension SpecLoadSession {
    /// Reports unknown top-level keys and top-level values of the wrong shape.
    mutating func checkTopLevel(_ root: SpecNode) {
        for entry in root.entries ?? [] where !topLevelKeys.contains(entry.key) {
            report(unknownKey(entry.key, in: "top-level key", candidates: topLevelKeys), at: entry.keyLocation)
        }
        for key in ["pipeline", "description"] {
            guard let value = root[key], !value.isNull else { continue }
            if value.string == nil, !(key == "pipeline" && value.scalar?.intValue != nil) {
                report("'\(key)' must be a string, got \(value.shapeDescription)", at: value.location)
            }
        }
        if let name = root["pipeline"]?.string, !isValidPipelineName(name) {
            report("invalid pipeline name '\(name)'; use letters, digits, '_', '.' and '-' (it names the runs directory)",
                   at: root["pipeline"]?.location)
        }
        for key in ["params", "data", "stages"] {
            guard let value = root[key], !value.isNull, value.entries == nil else { continue }
            report("'\(key)' must be a mapping of names to values, got \(value.shapeDescription)", at: value.location)
        }
    }

    /// The data and stage names in the order written, after reporting names
    /// that do not fit `[A-Za-z_][A-Za-z0-9_-]*` or are reserved.
    mutating func declaredNames(data: SpecNode?, stages: SpecNode?) -> (data: [String], stages: [String]) {
        for entry in data?.entries ?? [] where !isValidName(entry.key) {
            report("invalid data source name '\(entry.key)'; use letters, digits, '_' and '-', starting with a letter or '_'",
                   at: entry.keyLocation)
        }
        for entry in stages?.entries ?? [] {
            if !isValidName(entry.key) {
                report("invalid stage name '\(entry.key)'; use letters, digits, '_' and '-', starting with a letter or '_'",
                       at: entry.keyLocation)
            } else if reservedStageNames.contains(entry.key) {
                report("a stage may not be called '\(entry.key)' (reserved); rename it", at: entry.keyLocation)
            }
        }
        return ((data?.entries ?? []).map(\.key), (stages?.entries ?? []).map(\.key))
    }
}

/// Whether `name` fits `[A-Za-z_][A-Za-z0-9_-]*`.
func isValidName(_ name: String) -> Bool {
    guard let first = name.unicodeScalars.first, first == "_" || isASCIILetter(first) else { return false }
    return name.unicodeScalars.allSatisfy { $0 == "_" || $0 == "-" || isASCIILetter($0) || ("0"..."9").contains($0) }
}

/// Whether `name` fits `[A-Za-z0-9_][A-Za-z0-9_.-]*` (it names a directory).
func isValidPipelineName(_ name: String) -> Bool {
    guard let first = name.unicodeScalars.first, first != ".", first != "-" else { return false }
    return name.unicodeScalars.allSatisfy { "_.-".unicodeScalars.contains($0) || isASCIILetter($0) || ("0"..."9").contains($0) }
}

private func isASCIILetter(_ scalar: Unicode.Scalar) -> Bool { ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) }

/// "unknown KIND 'x' PLACE; did you mean 'y'?" or, with no close match, the valid choices.
func unknownKey(_ key: String, in what: String, place: String = "", candidates: [String]) -> String {
    let head = "unknown \(what) '\(key)'\(place.isEmpty ? "" : " " + place)"
    if let match = closestMatch(to: key, in: candidates) { return "\(head); did you mean '\(match)'?" }
    if candidates.isEmpty { return "\(head); remove it" }
    let choices = candidates.sorted().map { "'\($0)'" }.joined(separator: ", ")
    return "\(head); expected one of \(choices)"
}
