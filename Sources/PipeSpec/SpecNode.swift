import PipeCore

/// A value of a spec document with the place it was written, so every error,
/// even one found after `extends` merged several files, points at its source.
/// Scalars are already resolved by the YAML 1.2 core schema.
struct SpecNode: Sendable {
    enum Value: Sendable {
        case scalar(JSONValue)
        case sequence([SpecNode])
        case mapping([SpecEntry])
    }

    var value: Value
    var location: SourceLocation

    init(_ value: Value, at location: SourceLocation) {
        self.value = value
        self.location = location
    }

    init(json: JSONValue, at location: SourceLocation) {
        switch json {
        case .array(let items): value = .sequence(items.map { SpecNode(json: $0, at: location) })
        case .object(let members):
            value = .mapping(members.keys.sorted().map {
                SpecEntry(key: $0, keyLocation: location, value: SpecNode(json: members[$0]!, at: location))
            })
        default: value = .scalar(json)
        }
        self.location = location
    }
}

/// One `key: value` of a mapping; the key's own location is kept for errors
/// about the key (unknown, duplicate, misnamed).
struct SpecEntry: Sendable {
    var key: String
    var keyLocation: SourceLocation
    var value: SpecNode
}

extension SpecNode {
    var entries: [SpecEntry]? { if case .mapping(let entries) = value { return entries }; return nil }
    var items: [SpecNode]? { if case .sequence(let items) = value { return items }; return nil }
    var scalar: JSONValue? { if case .scalar(let scalar) = value { return scalar }; return nil }
    var string: String? { scalar?.stringValue }
    var isNull: Bool { scalar?.isNull == true }

    /// The entry for `key` in a mapping.
    func entry(_ key: String) -> SpecEntry? { entries?.first { $0.key == key } }

    /// The value of `key` in a mapping.
    subscript(key: String) -> SpecNode? { entry(key)?.value }

    /// Sets `key` (replacing it in place, or appending) in a mapping.
    mutating func set(_ key: String, _ node: SpecNode, keyLocation: SourceLocation? = nil) {
        guard var entries else { return }
        if let index = entries.firstIndex(where: { $0.key == key }) {
            entries[index].value = node
        } else {
            entries.append(SpecEntry(key: key, keyLocation: keyLocation ?? node.location, value: node))
        }
        value = .mapping(entries)
    }

    /// Removes `key` from a mapping.
    mutating func remove(_ key: String) {
        guard let entries else { return }
        value = .mapping(entries.filter { $0.key != key })
    }

    /// The plain JSON value, locations dropped.
    var json: JSONValue {
        switch value {
        case .scalar(let scalar): return scalar
        case .sequence(let items): return .array(items.map(\.json))
        case .mapping(let entries):
            return .object(Dictionary(entries.map { ($0.key, $0.value.json) }, uniquingKeysWith: { _, last in last }))
        }
    }

    /// How the value reads in a "got ..." clause: `"abc"`, `5`, `a list`, `a mapping`.
    var shapeDescription: String {
        switch value {
        case .scalar(.null): return "null"
        case .scalar(.string(let s)): return String(decoding: JSONValue.string(s).canonicalData, as: UTF8.self)
        case .scalar(.double(let d)) where !d.isFinite: return SpecRendering.scalar(.double(d))
        case .scalar(let scalar): return scalar.display
        case .sequence: return "a list"
        case .mapping: return "a mapping"
        }
    }
}
