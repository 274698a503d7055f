/// Where a substituted value lands in a POSIX `sh -c` string, as far as
/// quoting goes. Values (params, `--set`, items, paths) are quoted for the
/// context they land in, so the shell always reads them as literal bytes of
/// one word; a context where no quoting is safe is refused.
public enum ShellQuoteContext: Sendable, Equatable {
    /// Plain shell code: the value is single-quoted.
    case unquoted
    /// Inside `'...'` written by the spec: the quote is closed around each `'` of the value.
    case singleQuoted
    /// Inside `"..."` written by the spec: the value is single-quoted between a closing and a reopening `"`.
    case doubleQuoted
    /// Inside a `#` comment: the value is inert; line breaks become spaces so the comment cannot end early.
    case comment
    /// A here-document body, backquotes, a shell `${...}` expansion, or after
    /// a backslash: no quoting is safe here.
    case unsafe(String)

    /// The text to insert for `value`, or nil in an `.unsafe` context or when
    /// the value holds a NUL byte (which no shell string can carry).
    public func quote(_ value: String) -> String? {
        guard !value.unicodeScalars.contains("\0") else { return nil }
        switch self {
        case .unquoted: return Self.singleQuoted(value)
        case .singleQuoted: return value.replacingOccurrences(of: "'", with: "'\\''")
        case .doubleQuoted: return "\"" + Self.singleQuoted(value) + "\""
        case .comment: return String(value.map { $0 == "\n" || $0 == "\r" || $0 == "\r\n" ? " " : $0 })
        case .unsafe: return nil
        }
    }

    /// POSIX single-quote quoting; bare when every byte is plainly safe
    /// (ASCII letters, digits and `-_./:,+@%`; never `=`, which would make an assignment).
    public static func singleQuoted(_ value: String) -> String {
        let safe = !value.isEmpty && value.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || "-_./:,+@%".unicodeScalars.contains($0)
        }
        return safe ? value : "'" + value.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}

/// Follows the quoting state of shell code fed to it piece by piece, enough
/// to tell which `ShellQuoteContext` the next substitution lands in: quotes,
/// backslashes, `$(...)`, backquotes, `${...}`, comments and here-documents.
/// Feed it everything the shell will read, inserted (quoted) values included,
/// in order. It errs on the side of `.unsafe`: after a `case` inside `$(...)`
/// (whose patterns end in `)`) every later value is refused.
public struct ShellQuoteScanner: Sendable {
    private enum Frame: Sendable, Equatable {
        case code(substitution: Bool, depth: Int)
        case single, double, backquote, comment, parameter, ansiC
        case heredoc(delimiter: String, stripTabs: Bool, line: String)
    }

    private var frames: [Frame] = [.code(substitution: false, depth: 0)]
    private var escaped = false
    private var pendingHeredocs: [(delimiter: String, stripTabs: Bool)] = []
    private var previous: Character?
    private var unreadable: String?

    public init() {}

    /// The context a value inserted now lands in.
    public var context: ShellQuoteContext {
        if let unreadable { return .unsafe(unreadable) }
        if escaped { return .unsafe("right after a backslash") }
        switch frames.last! {
        case .code: return .unquoted
        case .single: return .singleQuoted
        case .double: return .doubleQuoted
        case .comment: return .comment
        case .backquote: return .unsafe("inside backquotes; use $(...) instead")
        case .parameter: return .unsafe("inside a shell ${...} expansion; set a variable to the value first")
        case .ansiC: return .unsafe("inside a $'...' string; pass the value as an argument instead")
        case .heredoc: return .unsafe("inside a here-document; pass the value as an argument or variable instead")
        }
    }

    /// Reads shell code that the spec wrote (not an inserted value).
    public mutating func feed<S: StringProtocol>(_ code: S) {
        let characters = Array(code)
        var index = 0
        while index < characters.count {
            index = step(characters, at: index)
        }
    }

    /// Consumes the character at `index` (and any lookahead it needs); returns the next index.
    private mutating func step(_ text: [Character], at index: Int) -> Int {
        let c = text[index]
        defer { previous = c }
        if escaped { escaped = false; return index + 1 }
        switch frames.last! {
        case .single:
            if c == "'" { frames.removeLast() }
        case .double:
            return stepDouble(text, at: index)
        case .backquote:
            if c == "\\" { escaped = true } else if c == "`" { frames.removeLast() }
        case .parameter:
            // Quotes and nested expansions inside `${...}` nest differently in dash and bash:
            // where this one ends is then unknowable, so nothing after it is trusted.
            if c == "\\" { escaped = true } else if c == "}" { frames.removeLast() }
            else if "'\"`$".contains(c) { unreadable = "after a shell ${...} expansion holding quotes or another expansion; set a variable to the value first" }
        case .ansiC:
            // bash reads `\'` inside `$'...'` as a quote character, dash as the end of `'...'`.
            if c == "\\", index + 1 < text.count, text[index + 1] == "'" {
                unreadable = "after a $'...' string holding \\', which shells end in different places; pass the value as an argument instead"
            } else if c == "\\" { escaped = true } else if c == "'" { frames.removeLast() }
        case .comment:
            if c == "\n" || c == "\r\n" { frames.removeLast(); return index }
        case .heredoc(let delimiter, let stripTabs, let line):
            if c == "\n" || c == "\r\n" {
                let body = stripTabs ? String(line.drop { $0 == "\t" }) : line
                frames.removeLast()
                if body != delimiter { frames.append(.heredoc(delimiter: delimiter, stripTabs: stripTabs, line: "")) }
            } else {
                frames[frames.count - 1] = .heredoc(delimiter: delimiter, stripTabs: stripTabs, line: line + String(c))
            }
        case .code(let substitution, let depth):
            return stepCode(text, at: index, substitution: substitution, depth: depth)
        }
        return index + 1
    }

    private mutating func stepDouble(_ text: [Character], at index: Int) -> Int {
        switch text[index] {
        case "\\": escaped = true
        case "\"": frames.removeLast()
        case "`": frames.append(.backquote)
        case "(" where previous == "$": frames.append(.code(substitution: true, depth: 0))
        case "{" where previous == "$": frames.append(.parameter)
        default: break
        }
        return index + 1
    }

    private mutating func stepCode(_ text: [Character], at index: Int, substitution: Bool, depth: Int) -> Int {
        let c = text[index]
        switch c {
        case "\\": escaped = true
        case "'" where previous == "$": frames.append(.ansiC)
        case "'": frames.append(.single)
        case "\"": frames.append(.double)
        case "`": frames.append(.backquote)
        case "#" where previous == nil || previous!.isWhitespace || ";&|()<>".contains(previous!):
            frames.append(.comment)
        case "(" where previous == "$": frames.append(.code(substitution: true, depth: 0))
        case "{" where previous == "$": frames.append(.parameter)
        case "(": frames[frames.count - 1] = .code(substitution: substitution, depth: depth + 1)
        case ")" where depth > 0: frames[frames.count - 1] = .code(substitution: substitution, depth: depth - 1)
        case ")" where substitution: frames.removeLast()
        case "<" where previous == "<": return readHeredocOperator(text, after: index)
        case "c" where substitution && startsWord && Self.isWord("case", in: text, at: index):
            // A pattern's `)` would read as the end of `$(`: stop trusting what follows.
            unreadable = "after a 'case' inside $(...), whose patterns pipe cannot follow; set a variable to the value first"
        case "\n", "\r\n":
            for pending in pendingHeredocs.reversed() {
                frames.append(.heredoc(delimiter: pending.delimiter, stripTabs: pending.stripTabs, line: ""))
            }
            pendingHeredocs.removeAll()
        default: break
        }
        return index + 1
    }

    /// Whether the previous character ends a word (or there is none).
    private var startsWord: Bool { previous.map { $0.isWhitespace || ";&|()".contains($0) } ?? true }

    /// Whether `word` stands alone at `index` of `text`.
    private static func isWord(_ word: String, in text: [Character], at index: Int) -> Bool {
        let end = index + word.count
        guard end <= text.count, String(text[index..<end]) == word else { return false }
        return end == text.count || text[end].isWhitespace || ";&|()".contains(text[end])
    }

    /// After `<<`: reads `-`, blanks and the delimiter word (quotes removed);
    /// the body starts at the next line break.
    private mutating func readHeredocOperator(_ text: [Character], after index: Int) -> Int {
        var i = index + 1
        var stripTabs = false
        if i < text.count, text[i] == "-" { stripTabs = true; i += 1 }
        while i < text.count, text[i] == " " || text[i] == "\t" { i += 1 }
        var delimiter = ""
        while i < text.count, !text[i].isWhitespace, !";&|()<>".contains(text[i]) {
            if !"'\"\\".contains(text[i]) { delimiter.append(text[i]) }
            i += 1
        }
        if delimiter.isEmpty || i == text.count {
            unreadable = "in a here-document whose delimiter pipe cannot read; pass the value as an argument instead"
        }
        pendingHeredocs.append((delimiter, stripTabs))
        return i
    }
}
