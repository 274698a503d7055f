import PipeCore

/// Renders resolved spec values as readable YAML (for `pipe show`): block
/// mappings and lists, short scalar lists inline, strings quoted only when
/// they would otherwise read as another type or break the syntax.
public enum SpecRendering {
    /// `value` as YAML text ending in a newline. Mapping keys come in `order`
    /// when given for the top level (others sorted after them).
    public static func yaml(_ value: JSONValue, keyOrder: [String] = []) -> String {
        var out = ""
        append(value, indent: 0, keyOrder: keyOrder, to: &out)
        return out
    }

    private static func append(_ value: JSONValue, indent: Int, keyOrder: [String] = [], to out: inout String) {
        let pad = String(repeating: "  ", count: indent)
        switch value {
        case .object(let members) where !members.isEmpty:
            let keys = keyOrder.filter { members[$0] != nil } + members.keys.filter { !keyOrder.contains($0) }.sorted()
            for key in keys {
                let member = members[key]!
                if let inline = inline(member) {
                    out += "\(pad)\(scalar(.string(key))): \(inline)\n"
                } else {
                    out += "\(pad)\(scalar(.string(key))):\n"
                    append(member, indent: indent + 1, to: &out)
                }
            }
        case .array(let items) where !items.isEmpty:
            for item in items {
                if let inline = inline(item) {
                    out += "\(pad)- \(inline)\n"
                } else {
                    var nested = ""
                    append(item, indent: indent + 1, to: &nested)
                    out += "\(pad)- " + nested.dropFirst(pad.count + 2)
                }
            }
        default:
            out += pad + (inline(value) ?? "") + "\n"
        }
    }

    /// The value on one line when it is a scalar, an empty collection or a short list of scalars.
    private static func inline(_ value: JSONValue) -> String? {
        switch value {
        case .object(let members): return members.isEmpty ? "{}" : nil
        case .array(let items):
            if items.isEmpty { return "[]" }
            let parts = items.compactMap { item -> String? in
                if case .array = item { return nil }
                if case .object = item { return nil }
                return scalar(item)
            }
            let text = "[" + parts.joined(separator: ", ") + "]"
            return parts.count == items.count && text.count <= 72 ? text : nil
        default: return scalar(value)
        }
    }

    /// A scalar as YAML: strings plain when they read back as the same string.
    public static func scalar(_ value: JSONValue) -> String {
        switch value {
        case .null: return "null"
        case .double(let d) where d.isNaN: return ".nan"
        case .double(let d) where d.isInfinite: return d > 0 ? ".inf" : "-.inf"
        case .string(let s):
            let special = s.first.map { "-?:,[]{}#&*!|>'\"%@` ".contains($0) } ?? true
            let risky = s.contains(": ") || s.contains(" #") || s.hasSuffix(" ") || s.hasSuffix(":")
                || s.contains("\n") || s.contains(",") || s.contains("[") || s.contains("]")
                || s.contains("{") || s.contains("}")
            if special || risky || YAMLScalar.resolve(plain: s) != .string(s) {
                return String(decoding: value.canonicalData, as: UTF8.self)
            }
            return s
        default: return value.display
        }
    }
}
