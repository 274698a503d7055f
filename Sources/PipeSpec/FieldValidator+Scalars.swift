import PipeCore

extension FieldValidator {
    /// Strings, booleans, bounded integers and numbers (an integer is accepted
    /// where a number is expected and stored as a number), and `oneOf` values.
    mutating func validateScalar(_ node: SpecNode, as type: FieldType, path: [String]) -> JSONValue? {
        guard let scalar = node.scalar else { return mismatch(node, type, path) }
        switch (type, scalar) {
        case (.string, .string): return scalar
        case (.boolean, .bool): return scalar
        case (.integer(let min, let max), .int), (.integer(let min, let max), .double):
            guard let value = scalar.intValue else { return mismatch(node, type, path) }
            return inBounds(Double(value), min: min.map(Double.init), max: max.map(Double.init), node, path)
                ? .int(value) : nil
        case (.number(let min, let max), .int), (.number(let min, let max), .double):
            guard let value = scalar.doubleValue else { return mismatch(node, type, path) }
            guard value.isFinite else {
                report("'\(label(path))': must be a finite number, got \(node.shapeDescription)", at: node.location)
                return nil
            }
            return inBounds(value, min: min, max: max, node, path) ? .double(value) : nil
        case (.oneOf(let values), .string(let text)):
            if values.contains(text) { return scalar }
            report(unknownKey(text, in: "value", place: "for '\(label(path))'", candidates: values), at: node.location)
            return nil
        default:
            return mismatch(node, type, path)
        }
    }

    private mutating func inBounds(_ value: Double, min: Double?, max: Double?, _ node: SpecNode,
                                   _ path: [String]) -> Bool {
        if let min, value < min {
            report("'\(label(path))': must be at least \(JSONValue.double(min).boundText), got \(node.shapeDescription)",
                   at: node.location)
            return false
        }
        if let max, value > max {
            report("'\(label(path))': must be at most \(JSONValue.double(max).boundText), got \(node.shapeDescription)",
                   at: node.location)
            return false
        }
        return true
    }
}

extension JSONValue {
    /// A bound as people write it: `1`, not `1.0`.
    var boundText: String { intValue.map(String.init) ?? display }
}

extension FieldType {
    /// How the type reads in "expected ..." messages.
    var summary: String {
        switch self {
        case .string: return "a string"
        case .integer: return "an integer"
        case .number: return "a number"
        case .boolean: return "true or false"
        case .oneOf(let values): return "one of " + values.map { "'\($0)'" }.joined(separator: ", ")
        case .array(let element): return "a list of \(element.plural)"
        case .set(let element): return "a list of distinct \(element.plural)"
        case .object, .map: return "a mapping"
        case .any: return "any value"
        case .anyOf(let alternatives): return alternatives.map(\.summary).joined(separator: " or ")
        case .reference: return "a stage name or data.NAME"
        case .references: return "a stage name, data.NAME or a list of them"
        case .dependencies: return "a list of stage names, data.NAME or paths"
        case .dependency: return "a stage name, data.NAME or a path"
        }
    }

    private var plural: String {
        switch self {
        case .string: return "strings"
        case .integer: return "integers"
        case .number: return "numbers"
        case .boolean: return "booleans"
        case .object, .map: return "mappings"
        default: return "values"
        }
    }

    var isAny: Bool { if case .any = self { return true }; return false }
    /// Whether a string that names no stage or data source is read as a path relative to the spec.
    var acceptsPaths: Bool {
        switch self {
        case .dependencies, .dependency: return true
        default: return false
        }
    }

    /// Whether the value is exactly one string (not a list).
    var isSingleReference: Bool {
        switch self {
        case .reference, .dependency: return true
        default: return false
        }
    }

    /// Whether a node of this shape could be this type (used to pick which
    /// `anyOf` alternative to report errors for).
    func fitsShape(of node: SpecNode) -> Bool {
        switch (self, node.value) {
        case (.any, _): return true
        case (.anyOf(let alternatives), _): return alternatives.contains { $0.fitsShape(of: node) }
        case (.string, .scalar(.string)), (.oneOf, .scalar(.string)), (.reference, .scalar(.string)),
             (.references, .scalar(.string)), (.dependency, .scalar(.string)): return true
        case (.integer, .scalar(.int)), (.integer, .scalar(.double)), (.number, .scalar(.int)),
             (.number, .scalar(.double)), (.boolean, .scalar(.bool)): return true
        case (.array, .sequence), (.set, .sequence), (.references, .sequence), (.dependencies, .sequence): return true
        case (.object, .mapping), (.map, .mapping): return true
        default: return false
        }
    }
}
