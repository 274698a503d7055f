import PipeCore

/// Why a scalar has no value (a located diagnostic's message).
struct ScalarProblem: Error, Equatable {
    var message: String
    init(_ message: String) { self.message = message }
}

/// Resolution of YAML scalars by the YAML 1.2 core schema: plain `~`/`null`/
/// empty are null, `true`/`False` booleans, `12`, `0o17`, `0x1F` integers
/// (64-bit; larger is an error, never a rounded float), `1e-3`, `.inf`, `.nan`
/// floats; everything else (including `yes`, `on`, `no`) is a string. Quoted
/// scalars are strings unless a tag (`!!int '12'`) says otherwise.
enum YAMLScalar {
    static let strTag = "tag:yaml.org,2002:str"
    static let intTag = "tag:yaml.org,2002:int"
    static let floatTag = "tag:yaml.org,2002:float"
    static let boolTag = "tag:yaml.org,2002:bool"
    static let nullTag = "tag:yaml.org,2002:null"

    /// A plain scalar's value, or nil when it looks like a number that does
    /// not fit (an integer beyond 64 bits, a float beyond Double).
    static func resolve(plain text: String) -> JSONValue? {
        try? resolve(text, tag: nil, plain: true).get()
    }

    /// A scalar's value under the YAML 1.2 core schema, honouring its tag:
    /// no tag resolves a plain scalar by its form and makes a quoted or block
    /// scalar a string; `!` and `!!str` make a string; `!!int`, `!!float`,
    /// `!!bool` and `!!null` convert the text (quoted or not) or fail. The
    /// failure is a message for a located diagnostic.
    static func resolve(_ text: String, tag: String?, plain: Bool) -> Result<JSONValue, ScalarProblem> {
        switch tag {
        case nil where !plain, "!", strTag: return .success(.string(text))
        case nil: return resolvePlain(text)
        case intTag?:
            if case .success(.int(let value))? = integer(text) { return .success(.int(value)) }
            if case .failure(let problem)? = integer(text) { return .failure(problem) }
            return .failure(ScalarProblem("'!!int \(text)' is not an integer; write digits, 0o17 or 0x1F, or drop the tag"))
        case floatTag?:
            switch resolvePlain(text) {
            case .success(.int(let value)): return .success(.double(Double(value)))
            case .success(.double(let value)): return .success(.double(value))
            case .failure(let problem): return .failure(problem)
            default: return .failure(ScalarProblem("'!!float \(text)' is not a number; write 1.5, 1e-3, .inf or .nan, or drop the tag"))
            }
        case boolTag?:
            if case .success(.bool(let value)) = resolvePlain(text) { return .success(.bool(value)) }
            return .failure(ScalarProblem("'!!bool \(text)' is not true or false; write true or false, or drop the tag"))
        case nullTag?:
            if case .success(.null) = resolvePlain(text) { return .success(.null) }
            return .failure(ScalarProblem("'!!null \(text)' is not null; write ~, null or nothing, or drop the tag"))
        case let other?:
            return .failure(ScalarProblem("unsupported tag '\(Self.shortTag(other))'; specs use plain YAML values: remove the tag"))
        }
    }

    /// `tag:yaml.org,2002:x` as people write it (`!!x`).
    static func shortTag(_ tag: String) -> String {
        tag.hasPrefix("tag:yaml.org,2002:") ? "!!" + tag.dropFirst("tag:yaml.org,2002:".count) : tag
    }

    private static func resolvePlain(_ text: String) -> Result<JSONValue, ScalarProblem> {
        switch text {
        case "", "~", "null", "Null", "NULL": return .success(.null)
        case "true", "True", "TRUE": return .success(.bool(true))
        case "false", "False", "FALSE": return .success(.bool(false))
        case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF": return .success(.double(.infinity))
        case "-.inf", "-.Inf", "-.INF": return .success(.double(-.infinity))
        case ".nan", ".NaN", ".NAN": return .success(.double(.nan))
        default: break
        }
        if let int = integer(text) { return int }
        if isFloat(text), let double = Double(text) {
            guard double.isFinite else {
                return .failure(ScalarProblem("number '\(text)' is too large for a 64-bit float; use .inf if you mean infinity, or quote it"))
            }
            return .success(.double(double))
        }
        return .success(.string(text))
    }

    /// An integer in one of the core schema's forms; a failure when it has
    /// the form but does not fit 64 bits; nil when it is not an integer form.
    private static func integer(_ text: String) -> Result<JSONValue, ScalarProblem>? {
        let bytes = Array(text.utf8)
        var value: Int?
        if matchesDecimal(bytes) {
            value = Int(text)
        } else if bytes.count > 2, bytes[0] == UInt8(ascii: "0"), bytes[1] == UInt8(ascii: "o"),
                  bytes[2...].allSatisfy({ (48...55).contains($0) }) {
            value = Int(text.dropFirst(2), radix: 8)
        } else if bytes.count > 2, bytes[0] == UInt8(ascii: "0"), bytes[1] == UInt8(ascii: "x"), bytes[2...].allSatisfy(isHexDigit) {
            value = Int(text.dropFirst(2), radix: 16)
        } else {
            return nil
        }
        guard let value else {
            return .failure(ScalarProblem("integer '\(text)' does not fit in 64 bits (\(Int.min)...\(Int.max)); "
                                          + "quote it if it is a string"))
        }
        return .success(.int(value))
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
