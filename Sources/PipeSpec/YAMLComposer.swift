import CYAML
import PipeCore

/// The result of composing one YAML text: the root node (nil when the text is
/// empty or had a syntax error) and every problem found on the way.
struct YAMLDocument: Sendable {
    var root: SpecNode?
    var diagnostics: [Diagnostic]
    /// True when libyaml stopped on a syntax error (nothing after it was read).
    var failed: Bool
}

/// Composes a node tree from libyaml's event stream (`yaml_parser_parse`),
/// keeping the 1-based line and column of every node and mapping key.
/// Duplicate keys, non-string keys and unknown aliases are reported and
/// composition goes on; a syntax error stops it.
struct YAMLComposer {
    /// Deeper nesting is refused: a spec needs a handful of levels, and a
    /// deep enough document would exhaust the stack of any recursive reader.
    static let maxDepth = 128
    /// Nodes one document may produce, counting each alias as the nodes it
    /// stands for: an alias bomb ("billion laughs") is refused before it is expanded.
    static let maxNodes = 200_000

    private let file: String
    private var events: YAMLEventReader
    private var anchors: [String: (node: SpecNode, size: Int)] = [:]
    private var diagnostics: [Diagnostic] = []
    private var depth = 0
    private var nodes = 0

    /// Composes `text`; locations name `file` (as the user wrote it). `lineOffset`
    /// and `columnOffset` shift locations for text cut out of a larger line (`--set`).
    static func compose(_ text: String, file: String, columnOffset: Int = 0) -> YAMLDocument {
        var composer = YAMLComposer(file: file, events: YAMLEventReader(text: text, file: file, columnOffset: columnOffset))
        return composer.run()
    }

    private init(file: String, events: YAMLEventReader) {
        self.file = file
        self.events = events
    }

    private mutating func run() -> YAMLDocument {
        do {
            var root: SpecNode?
            var documents = 0
            while true {
                let event = try events.next()
                switch event.type {
                case YAML_DOCUMENT_START_EVENT:
                    documents += 1
                    let node = try composeNode(try events.next())
                    if documents == 1 { root = node } else {
                        diagnostics.append(Diagnostic(
                            "a spec holds one YAML document; remove the second '---' and what follows",
                            at: event.location))
                    }
                    _ = try events.next()  // DOCUMENT-END
                case YAML_STREAM_END_EVENT:
                    return YAMLDocument(root: root, diagnostics: diagnostics, failed: false)
                default: continue
                }
            }
        } catch {
            return YAMLDocument(root: nil, diagnostics: diagnostics + [error], failed: true)
        }
    }

    private mutating func composeNode(_ event: YAMLEvent) throws(Diagnostic) -> SpecNode {
        let node: SpecNode
        let start = nodes
        try count(1, at: event.location)
        switch event.type {
        case YAML_ALIAS_EVENT:
            if let target = anchors[event.anchor ?? ""] {
                try count(target.size - 1, at: event.location)
                return target.node
            }
            diagnostics.append(Diagnostic("unknown alias '*\(event.anchor ?? "")'; define '&\(event.anchor ?? "")' before using it",
                                          at: event.location))
            return SpecNode(.scalar(.null), at: event.location)
        case YAML_SCALAR_EVENT:
            node = SpecNode(.scalar(scalarValue(event)), at: event.location)
        case YAML_SEQUENCE_START_EVENT:
            try enter(event)
            var items: [SpecNode] = []
            while true {
                let next = try events.next()
                if next.type == YAML_SEQUENCE_END_EVENT { break }
                items.append(try composeNode(next))
            }
            depth -= 1
            node = SpecNode(.sequence(items), at: event.location)
        case YAML_MAPPING_START_EVENT:
            try enter(event)
            node = SpecNode(.mapping(try composeEntries()), at: event.location)
            depth -= 1
        default:
            throw Diagnostic("unexpected YAML event \(event.type.rawValue)", at: event.location)
        }
        if let anchor = event.anchor { anchors[anchor] = (node, nodes - start) }
        return node
    }

    /// Counts `added` nodes; stops composing past `maxNodes`.
    private mutating func count(_ added: Int, at location: SourceLocation) throws(Diagnostic) {
        nodes += added
        guard nodes > Self.maxNodes else { return }
        throw Diagnostic("the document expands to more than \(Self.maxNodes) values (aliases count as what they stand for); "
                         + "use fewer aliases or split the spec", at: location)
    }

    /// Enters a collection: checks its tag and the nesting depth.
    private mutating func enter(_ event: YAMLEvent) throws(Diagnostic) {
        depth += 1
        if depth > Self.maxDepth {
            throw Diagnostic("values nested more than \(Self.maxDepth) levels deep; flatten the spec", at: event.location)
        }
        let expected = event.type == YAML_SEQUENCE_START_EVENT ? "tag:yaml.org,2002:seq" : "tag:yaml.org,2002:map"
        if let tag = event.tag, tag != "!", tag != expected {
            diagnostics.append(Diagnostic("unsupported tag '\(YAMLScalar.shortTag(tag))' on a "
                                          + "\(event.type == YAML_SEQUENCE_START_EVENT ? "list" : "mapping"); remove the tag",
                                          at: event.location))
        }
    }

    private mutating func composeEntries() throws(Diagnostic) -> [SpecEntry] {
        var entries: [SpecEntry] = []
        var merged: [SpecEntry] = []
        while true {
            let keyEvent = try events.next()
            if keyEvent.type == YAML_MAPPING_END_EVENT { return entries + mergedEntries(merged, besides: entries) }
            let keyNode = try composeNode(keyEvent)
            let value = try composeNode(try events.next())
            if keyEvent.style == YAML_PLAIN_SCALAR_STYLE, keyNode.string == "<<" {
                merged += mergeSources(value)
                continue
            }
            guard let key = keyNode.string else {
                diagnostics.append(Diagnostic(
                    "mapping key \(keyNode.shapeDescription) is not a string; quote it or use a name",
                    at: keyNode.location))
                continue
            }
            if let first = entries.first(where: { $0.key == key }) {
                diagnostics.append(Diagnostic(
                    "duplicate key '\(key)' (first at line \(first.keyLocation.line)); keep only one",
                    at: keyNode.location))
                continue
            }
            entries.append(SpecEntry(key: key, keyLocation: keyNode.location, value: value))
        }
    }

    /// The entries a merge key (`<<: *base` or `<<: [*a, *b]`) brings in; earlier sources win.
    private mutating func mergeSources(_ value: SpecNode) -> [SpecEntry] {
        let sources = value.items ?? [value]
        var entries: [SpecEntry] = []
        for source in sources {
            guard let members = source.entries else {
                diagnostics.append(Diagnostic("a merge key '<<' takes a mapping or a list of mappings, "
                                              + "got \(source.shapeDescription)", at: source.location))
                continue
            }
            entries += members.filter { member in !entries.contains { $0.key == member.key } }
        }
        return entries
    }

    /// Merged entries not overridden by the mapping's own keys.
    private func mergedEntries(_ merged: [SpecEntry], besides own: [SpecEntry]) -> [SpecEntry] {
        var result: [SpecEntry] = []
        for entry in merged where !own.contains(where: { $0.key == entry.key }) && !result.contains(where: { $0.key == entry.key }) {
            result.append(entry)
        }
        return result
    }

    /// The scalar's value by the core schema and its tag; a bad value is
    /// reported and read as null so composition goes on.
    private mutating func scalarValue(_ event: YAMLEvent) -> JSONValue {
        switch YAMLScalar.resolve(event.value ?? "", tag: event.tag, plain: event.style == YAML_PLAIN_SCALAR_STYLE) {
        case .success(let value): return value
        case .failure(let problem):
            diagnostics.append(Diagnostic(problem.message, at: event.location))
            return .null
        }
    }
}
