import Foundation

extension JSONValue {
    /// Canonical JSON: object keys sorted by UTF-8 bytes, no insignificant
    /// whitespace, integers as integers (`1`), doubles in the shortest form
    /// that round-trips and always with a `.` or an exponent (`1.0`, `1e+16`),
    /// non-finite doubles as the bare tokens `NaN`, `Infinity`, `-Infinity`
    /// (as JavaScript and Python write them; `JSONValue(parsing:)` reads them
    /// back), strings quoted. So the form keeps the type: `1`, `1.0` and `"1"`,
    /// or `NaN` and `"NaN"`, never share bytes. Values equal by `==` give the
    /// same bytes and distinct values distinct bytes, so this is what task keys hash.
    public var canonicalData: Data {
        var out = ""
        appendCanonical(to: &out, pretty: false, indent: 0)
        return Data(out.utf8)
    }

    /// Indented JSON with sorted keys, for files people read (run records, `--json`).
    public var prettyString: String {
        var out = ""
        appendCanonical(to: &out, pretty: true, indent: 0)
        return out
    }

    private func appendCanonical(to out: inout String, pretty: Bool, indent: Int) {
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .double(let d): out += JSONValue.format(d)
        case .string(let s): JSONValue.appendQuoted(s, to: &out)
        case .array(let items):
            if items.isEmpty { out += "[]"; return }
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += "," }
                if pretty { out += "\n" + String(repeating: "  ", count: indent + 1) }
                item.appendCanonical(to: &out, pretty: pretty, indent: indent + 1)
            }
            if pretty { out += "\n" + String(repeating: "  ", count: indent) }
            out += "]"
        case .object(let members):
            if members.isEmpty { out += "{}"; return }
            out += "{"
            for (i, key) in members.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }).enumerated() {
                if i > 0 { out += "," }
                if pretty { out += "\n" + String(repeating: "  ", count: indent + 1) }
                JSONValue.appendQuoted(key, to: &out)
                out += pretty ? ": " : ":"
                members[key]!.appendCanonical(to: &out, pretty: pretty, indent: indent + 1)
            }
            if pretty { out += "\n" + String(repeating: "  ", count: indent) }
            out += "}"
        }
    }

    static func format(_ d: Double) -> String {
        guard d.isFinite else { return d.isNaN ? "NaN" : (d > 0 ? "Infinity" : "-Infinity") }
        if d == d.rounded(), abs(d) < 1e15 { return String(format: "%.1f", d) }
        return "\(d)"
    }

    static func appendQuoted(_ s: String, to out: inout String) {
        out += "\""
        // Most strings (keys, names, digests) need no escape: append them whole.
        if !s.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
            out += s
            out += "\""
            return
        }
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }
}
