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

extension JSONValue {
    /// Equality of the values a key can tell apart, and exactly those:
    /// `a == b` exactly when their canonical JSON is the same bytes. So
    /// `.int(1)`, `.double(1)` and `.string("1")` differ; every NaN equals
    /// every NaN (a NaN param is unchanged, not a change on every run); `0.0`
    /// and `-0.0` differ (they print differently); strings compare by Unicode
    /// scalars, not by canonical equivalence (`"é"` precomposed or not are two
    /// different byte strings, and a command would see different bytes).
    public static func == (a: JSONValue, b: JSONValue) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case (.bool(let x), .bool(let y)): return x == y
        case (.int(let x), .int(let y)): return x == y
        case (.double(let x), .double(let y)): return x.bitPattern == y.bitPattern || (x.isNaN && y.isNaN)
        case (.string(let x), .string(let y)): return x.unicodeScalars.elementsEqual(y.unicodeScalars)
        case (.array(let x), .array(let y)): return x.count == y.count && zip(x, y).allSatisfy { $0 == $1 }
        case (.object(let x), .object(let y)):
            guard x.count == y.count else { return false }
            let xKeys = x.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            let yKeys = y.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            return zip(xKeys, yKeys).allSatisfy { $0.unicodeScalars.elementsEqual($1.unicodeScalars) && x[$0]! == y[$1]! }
        default: return false
        }
    }

    /// Hashes what `==` compares (consistent with it).
    public func hash(into hasher: inout Hasher) {
        switch self {
        case .null: hasher.combine(0)
        case .bool(let b): hasher.combine(1); hasher.combine(b)
        case .int(let i): hasher.combine(2); hasher.combine(i)
        case .double(let d): hasher.combine(3); hasher.combine(d.isNaN ? UInt64.max : d.bitPattern)
        case .string(let s): hasher.combine(4); for scalar in s.unicodeScalars { hasher.combine(scalar.value) }
        case .array(let items): hasher.combine(5); hasher.combine(items.count); for item in items { item.hash(into: &hasher) }
        case .object(let members):
            hasher.combine(6)
            hasher.combine(members.count)
            for key in members.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
                for scalar in key.unicodeScalars { hasher.combine(scalar.value) }
                members[key]!.hash(into: &hasher)
            }
        }
    }
}
