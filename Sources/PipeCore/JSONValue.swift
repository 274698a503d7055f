import Foundation

/// A JSON value: the common currency of resolved spec params, task signatures,
/// run records and `--json` output. Objects keep no order; `canonicalData`
/// sorts keys so equal values always hash the same.
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// The member `key` of an object, or nil.
    public subscript(key: String) -> JSONValue? {
        if case .object(let members) = self { return members[key] }
        return nil
    }

    /// The value at a dotted path (`train.optimizer.lr`), or nil.
    public func value(at path: [String]) -> JSONValue? {
        var current = self
        for component in path {
            if case .array(let items) = current, let index = Int(component), items.indices.contains(index) {
                current = items[index]
            } else if let next = current[component] {
                current = next
            } else {
                return nil
            }
        }
        return current
    }

    public var stringValue: String? { if case .string(let s) = self { return s }; return nil }
    public var intValue: Int? {
        switch self {
        case .int(let i): return i
        case .double(let d) where d.rounded() == d && abs(d) < 9e15: return Int(d)
        default: return nil
        }
    }
    public var doubleValue: Double? {
        switch self {
        case .int(let i): return Double(i)
        case .double(let d): return d
        default: return nil
        }
    }
    public var boolValue: Bool? { if case .bool(let b) = self { return b }; return nil }
    public var arrayValue: [JSONValue]? { if case .array(let a) = self { return a }; return nil }
    public var objectValue: [String: JSONValue]? { if case .object(let o) = self { return o }; return nil }
    public var isNull: Bool { if case .null = self { return true }; return false }
}

extension JSONValue {
    /// Flattens nested objects into dotted key paths (`optimizer.lr`); arrays and
    /// scalars are leaves. An empty object contributes no path, so `params: {}`
    /// and an absent `params` compare equal and a key added to it reads as one change.
    public func flattened(prefix: String = "") -> [String: JSONValue] {
        guard case .object(let members) = self else { return [prefix: self] }
        var result: [String: JSONValue] = [:]
        for (key, value) in members {
            let path = prefix.isEmpty ? key : "\(prefix).\(key)"
            result.merge(value.flattened(prefix: path)) { _, new in new }
        }
        return result
    }

    /// A short human rendering for reasons and tables: strings bare, numbers as written.
    public var display: String {
        switch self {
        case .string(let s): return s
        default: return String(decoding: canonicalData, as: UTF8.self)
        }
    }
}
