import PipeCore

/// Resolution of plain (unquoted) YAML scalars by the YAML 1.2 core schema:
/// `~`/`null`/empty are null, `true`/`False` are booleans, `12`, `0o17`, `0x1F`
/// integers, `1e-3`, `.inf`, `.nan` floats; everything else (including `yes`,
/// `on`, `no`) is a string. Quoted scalars never come here: they are strings.
enum YAMLScalar {
    static func resolve(plain text: String) -> JSONValue {
        switch text {
        case "", "~", "null", "Null", "NULL": return .null
        case "true", "True", "TRUE": return .bool(true)
        case "false", "False", "FALSE": return .bool(false)
        case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF": return .double(.infinity)
        case "-.inf", "-.Inf", "-.INF": return .double(-.infinity)
        case ".nan", ".NaN", ".NAN": return .double(.nan)
        default: break
        }
        if let int = integer(text) { return int }
        if isFloat(text), let double = Double(text) { return .double(double) }
        return .string(text)
    }

    private static func integer(_ text: String) -> JSONValue? {
        if text.wholeMatch(of: #/[-+]?[0-9]+/#) != nil {
            if let int = Int(text) { return .int(int) }
            return Double(text).map { .double($0) }
        }
        if text.wholeMatch(of: #/0o[0-7]+/#) != nil { return Int(text.dropFirst(2), radix: 8).map { .int($0) } }
        if text.wholeMatch(of: #/0x[0-9a-fA-F]+/#) != nil { return Int(text.dropFirst(2), radix: 16).map { .int($0) } }
        return nil
    }

    private static func isFloat(_ text: String) -> Bool {
        text.wholeMatch(of: #/[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?/#) != nil
    }
}
