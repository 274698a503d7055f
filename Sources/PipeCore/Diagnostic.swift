/// Where a thing came from in a spec file: 1-based line and column.
public struct SourceLocation: Sendable, Hashable, Codable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    /// `file:line:col`, the form editors and terminals make clickable.
    public var description: String { "\(file):\(line):\(column)" }
}

/// One problem found in user input, with its location when it has one.
/// Messages are lower-case, quote the offending thing and say how to fix it.
public struct Diagnostic: Error, Sendable, Hashable, CustomStringConvertible {
    public var location: SourceLocation?
    public var message: String

    public init(_ message: String, at location: SourceLocation? = nil) {
        self.message = message
        self.location = location
    }

    /// `file:line:col: message`, or the bare message when there is no location.
    public var description: String {
        if let location { return "\(location): \(message)" }
        return message
    }
}

/// Every problem found in one pass over an input (a spec is validated whole
/// before anything fails). The CLI prints one line each and exits 2.
public struct Diagnostics: Error, Sendable, CustomStringConvertible {
    public var all: [Diagnostic]

    public init(_ all: [Diagnostic]) { self.all = all }

    public var description: String { all.map(\.description).joined(separator: "\n") }
}

/// The candidate closest to `word` by edit distance, when it is close enough
/// to be a plausible typo ("did you mean 'tile'?").
public func closestMatch(to word: String, in candidates: some Sequence<String>) -> String? {
    let limit = max(1, word.count / 3 + 1)
    var best: (name: String, distance: Int)?
    for candidate in candidates {
        let distance = editDistance(word.lowercased(), candidate.lowercased())
        if distance <= limit, distance < (best?.distance ?? .max) { best = (candidate, distance) }
    }
    return best?.name
}

/// Levenshtein distance between two strings, by characters.
public func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var previous = Array(0...b.count)
    var current = [Int](repeating: 0, count: b.count + 1)
    for i in 1...a.count {
        current[0] = i
        for j in 1...b.count {
            let cost = a[i - 1] == b[j - 1] ? 0 : 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
        }
        swap(&previous, &current)
    }
    return previous[b.count]
}
