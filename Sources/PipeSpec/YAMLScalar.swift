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
        let bytes = Array(text.utf8)
        if matchesDecimal(bytes) {
            if let int = Int(text) { return .int(int) }
            return Double(text).map { .double($0) }
        }
        if bytes.count > 2, bytes[0] == UInt8(ascii: "0") {
            let digits = bytes[2...]
            if bytes[1] == UInt8(ascii: "o"), digits.allSatisfy({ (48...55).contains($0) }) {
                return Int(text.dropFirst(2), radix: 8).map { .int($0) }
            }
            if bytes[1] == UInt8(ascii: "x"), digits.allSatisfy(isHexDigit) {
                return Int(text.dropFirst(2), radix: 16).map { .int($0) }
            }
        }
        return nil
    }

    /// `[-+]?[0-9]+`
    private static func matchesDecimal(_ bytes: [UInt8]) -> Bool {
        var index = 0
        if index < bytes.count, bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") { index += 1 }
        return index < bytes.count && bytes[index...].allSatisfy(isDigit)
    }

    /// `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`, matched by hand:
    /// a compiled-per-call Regex made spec loading the slowest part of a no-op run.
    private static func isFloat(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        var index = 0
        func digits() -> Int {
            let start = index
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
            return index - start
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") { index += 1 }
        let integerDigits = digits()
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            let fractionDigits = digits()
            if integerDigits == 0, fractionDigits == 0 { return false }
        } else if integerDigits == 0 {
            return false
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") { index += 1 }
            if digits() == 0 { return false }
        }
        return index == bytes.count
    }

    private static func isDigit(_ byte: UInt8) -> Bool { (48...57).contains(byte) }
    private static func isHexDigit(_ byte: UInt8) -> Bool {
        isDigit(byte) || (97...102).contains(byte) || (65...70).contains(byte)
    }
}
