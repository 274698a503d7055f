import Foundation
import PipeCore

/// The text of a derived pipeline: an ordinary spec that `extends` its base
/// version's file and sets the values that differ from it, so caching, the
/// executors and `pipe log` treat it like any other version.
public enum AblationSpecFile {
    /// A spec named `name` that extends `base` (an absolute path) and sets
    /// `values` (dotted paths as `ValueChange` names them; nil writes `null`,
    /// which deletes the inherited value).
    public static func text(name: String, base: String, description: String, values: [(path: String, value: JSONValue?)]) -> String {
        var tree: [String: JSONValue] = [:]
        for (path, value) in values { set(value ?? .null, at: keys(of: path)[...], in: &tree) }
        var lines = [
            "# Derived by pipe ablate: \(base) with the values below.",
            "pipeline: \(name)",
            "extends: \(quoted(base))",
            "description: \(quoted(description))",
        ]
        for section in ["params", "data", "stages"] {
            guard let members = tree[section]?.objectValue else { continue }
            lines.append("\(section):")
            lines += block(members, indent: 1)
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A `ValueChange` path as keys of a spec document: `params.x` and
    /// `data.x` as they are, `STAGE.FIELD` under `stages`.
    static func keys(of path: String) -> [String] {
        let keys = path.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        return keys.first == "params" || keys.first == "data" ? keys : ["stages"] + keys
    }

    /// Nested keys as indented YAML; other values as JSON, which is YAML flow
    /// syntax. A value that is an object can be written as a block too: it
    /// replaces a non-object (`ValueChange` descends into objects on both sides).
    static func block(_ members: [String: JSONValue], indent: Int) -> [String] {
        let pad = String(repeating: "  ", count: indent)
        return members.keys.sorted().flatMap { key -> [String] in
            let value = members[key]!
            if case .object(let inner) = value, !inner.isEmpty {
                return ["\(pad)\(quoted(key)):"] + block(inner, indent: indent + 1)
            }
            return ["\(pad)\(quoted(key)): \(String(decoding: value.canonicalData, as: UTF8.self))"]
        }
    }

    static func set(_ value: JSONValue, at keys: ArraySlice<String>, in tree: inout [String: JSONValue]) {
        guard let key = keys.first else { return }
        if keys.count == 1 {
            tree[key] = value
            return
        }
        var inner = tree[key]?.objectValue ?? [:]
        set(value, at: keys.dropFirst(), in: &inner)
        tree[key] = .object(inner)
    }

    /// A key or string as a JSON string (valid YAML); plain when it is a word
    /// or path YAML reads back as the same string (not `null`, `true`, a number).
    static func quoted(_ text: String) -> String {
        let plain = !text.isEmpty && text.allSatisfy { $0.isLetter || $0.isNumber || "_-./".contains($0) }
            && (text.first!.isLetter || text.first == "/") && !["null", "true", "false"].contains(text.lowercased())
        return plain ? text : String(decoding: JSONValue.string(text).canonicalData, as: UTF8.self)
    }
}
