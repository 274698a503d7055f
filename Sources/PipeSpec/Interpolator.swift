import PipeCore

/// Substitutes `${params.a.b}` in spec values. A scalar that is exactly one
/// reference takes the referenced value (and its type); inside a longer
/// string the value is stringified. Params may reference params (resolved
/// recursively, cycles reported). `${stage.…}`, `${deps.…}` and `${item}` are
/// left for the engine. `$${` escapes a literal `${`: it is skipped here and
/// kept as written, because the engine substitutes run-time references in
/// the same strings later and turns `$${` into `${` when it does.
struct Interpolator {
    private let raw: SpecNode
    private var resolved: [String: SpecNode] = [:]
    private var failed: Set<String> = []
    private var inProgress: [[String]] = []
    private(set) var diagnostics: [Diagnostic] = []
    /// Where interpolation failed; the values there are left as written.
    private(set) var failedLocations: Set<SourceLocation> = []
    /// Values substituted so far, counting each node of a substituted tree (see `spend`).
    var produced = 0
    var exhausted = false

    init(params: SpecNode?) {
        raw = params.flatMap { $0.entries == nil ? nil : $0 }
            ?? SpecNode(.mapping([]), at: SourceLocation(file: "", line: 1, column: 1))
    }

    /// The whole `params` mapping with every reference inside it resolved.
    mutating func resolveParams() -> SpecNode {
        var result = raw
        result.value = .mapping((raw.entries ?? []).map { entry in
            var entry = entry
            entry.value = lookup([entry.key], from: entry.value.location) ?? entry.value
            return entry
        })
        return result
    }

    /// `node` with every `${params...}` inside it substituted.
    mutating func interpolate(_ node: SpecNode) -> SpecNode {
        switch node.value {
        case .scalar(.string(let text)): return interpolate(text, at: node.location) ?? node
        case .scalar: return node
        case .sequence(let items): return SpecNode(.sequence(items.map { interpolate($0) }), at: node.location)
        case .mapping(let entries):
            return SpecNode(.mapping(entries.map { entry in
                var entry = entry
                entry.value = interpolate(entry.value)
                return entry
            }), at: node.location)
        }
    }

    /// The string with its references substituted: the referenced node itself
    /// when the string is exactly one `${params...}`; nil after an error.
    private mutating func interpolate(_ text: String, at location: SourceLocation) -> SpecNode? {
        guard text.contains("${") else { return nil }
        guard let pieces = InterpolationPiece.scan(text) else {
            report("unterminated '${' in \"\(text)\"; close it with '}' or write '$${' for a literal '${'", at: location)
            return nil
        }
        if pieces.count == 1, case .reference(let body) = pieces[0], body.hasPrefix("params.") {
            guard let value = param(body, at: location), spend(value, at: location) else { return nil }
            var node = value
            node.location = location
            return node
        }
        var out = ""
        for piece in pieces {
            switch piece {
            case .text(let literal): out += literal
            case .reference(let body) where body.hasPrefix("params."):
                guard let value = param(body, at: location), spend(value, at: location) else { return nil }
                out += value.json.display
            case .reference(let body) where InterpolationPiece.isRuntime(body): out += "${\(body)}"
            case .reference(let body):
                report("unknown reference '${\(body)}'; use ${params.NAME}, ${stage.…}, ${deps.…} or ${item}, "
                       + "or write '$${' for a literal '${'", at: location)
                return nil
            }
        }
        return SpecNode(.scalar(.string(out)), at: location)
    }

    /// The resolved value of `params.a.b` (reported when unknown or cyclic).
    mutating func param(_ body: String, at location: SourceLocation) -> SpecNode? {
        let path = body.split(separator: ".", omittingEmptySubsequences: false).dropFirst().map(String.init)
        return lookup(path, from: location)
    }

    /// The fully resolved params node at `path`, memoized; reports a missing
    /// parameter or a cycle at `location` (the place that referenced it).
    private mutating func lookup(_ path: [String], from location: SourceLocation) -> SpecNode? {
        let key = path.joined(separator: ".")
        if let done = resolved[key] { return done }
        if failed.contains(key) { return nil }
        if let start = inProgress.firstIndex(where: { $0 == path || $0.starts(with: path) }) {
            let chain = (inProgress[start...] + [path]).map { "params." + $0.joined(separator: ".") }
            report("params form a cycle: \(chain.joined(separator: " -> ")); replace one reference with a value",
                   at: location)
            failed.insert(key)
            return nil
        }
        inProgress.append(path)
        defer { inProgress.removeLast() }
        guard let node = rawNode(at: path, from: location) else {
            failed.insert(key)
            return nil
        }
        let value = interpolate(node)
        resolved[key] = value
        return value
    }

    /// The unresolved node at `path`, following exact references on the way
    /// (`${params.model}` then `.arch`); reports an unknown name with did-you-mean.
    private mutating func rawNode(at path: [String], from location: SourceLocation) -> SpecNode? {
        var node = raw
        for (depth, component) in path.enumerated() {
            if depth > 0, case .scalar(.string(let text)) = node.value, text.hasPrefix("${params.") {
                // Looking inside a reference that is itself being resolved: `a: "${params.a.x}"`.
                let prefix = Array(path[..<depth])
                if let start = inProgress.firstIndex(of: prefix) {
                    let chain = (inProgress[start...] + [prefix]).map { "params." + $0.joined(separator: ".") }
                    report("params form a cycle: \(chain.joined(separator: " -> ")); replace one reference with a value",
                           at: location)
                    return nil
                }
                if let target = interpolate(text, at: node.location) { node = target }
            }
            if let child = node[component] {
                node = child
            } else if let items = node.items, let index = Int(component), items.indices.contains(index) {
                node = items[index]
            } else {
                let prefix = (["params"] + path[..<depth]).joined(separator: ".")
                let reference = "${params." + path.joined(separator: ".") + "}"
                if let match = closestMatch(to: component, in: node.entries?.map(\.key) ?? []) {
                    report("unknown parameter '\(reference)'; did you mean '\(prefix).\(match)'?", at: location)
                } else {
                    report("unknown parameter '\(reference)'; define '\(prefix).\(component)' under params", at: location)
                }
                return nil
            }
        }
        return node
    }

    mutating func report(_ message: String, at location: SourceLocation) {
        diagnostics.append(Diagnostic(message, at: location))
        failedLocations.insert(location)
    }
}

/// A piece of a string with `${...}` references.
enum InterpolationPiece: Equatable {
    case text(String)
    case reference(String)

    /// Splits `text` into literal text and `${body}` references; `$${` stays
    /// literal text, unchanged (the engine unescapes it); nil when a `${` is never closed.
    static func scan(_ text: String) -> [InterpolationPiece]? {
        var pieces: [InterpolationPiece] = []
        var literal = ""
        var rest = Substring(text)
        while let dollar = rest.firstIndex(of: "$") {
            literal += rest[..<dollar]
            let after = rest[dollar...]
            if after.hasPrefix("$${") {
                literal += "$${"
                rest = after.dropFirst(3)
            } else if after.hasPrefix("${") {
                guard let close = after.firstIndex(of: "}") else { return nil }
                if !literal.isEmpty { pieces.append(.text(literal)) }
                literal = ""
                pieces.append(.reference(String(after[after.index(after.startIndex, offsetBy: 2)..<close])))
                rest = after[after.index(after: close)...]
            } else {
                literal += "$"
                rest = after.dropFirst()
            }
        }
        literal += rest
        if !literal.isEmpty || pieces.isEmpty { pieces.append(.text(literal)) }
        return pieces
    }

    /// References the engine substitutes at run time.
    static func isRuntime(_ body: String) -> Bool {
        body == "item" || body.hasPrefix("stage.") || body.hasPrefix("deps.")
    }
}
