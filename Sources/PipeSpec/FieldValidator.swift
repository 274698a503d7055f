import PipeCore

/// Validates spec values against `FieldSchema`s, recursively: types, allowed
/// values, bounds, unknown and missing keys; fills in defaults and collects
/// the references the fields name (in field order) and every key's location.
struct FieldValidator {
    let scope: ReferenceScope
    /// How messages name the owner: `train` gives `'train.optimizer.lr'`.
    let owner: String
    private(set) var diagnostics: [Diagnostic] = []
    /// Locations of values by dotted path relative to the owner.
    private(set) var locations: [String: SourceLocation] = [:]
    /// References named by `.reference`, `.references` and `.dependencies` fields.
    private(set) var references: [Reference] = []

    init(scope: ReferenceScope, owner: String) {
        self.scope = scope
        self.owner = owner
    }

    /// Validates the entries of a mapping against `fields`; `what` names the
    /// mapping in messages (`stage 'fit'`).
    mutating func validateFields(_ entries: [SpecEntry], fields: [FieldSchema], path: [String],
                                 at location: SourceLocation, what: String) -> JSONValue {
        let names = fields.map(\.name)
        for entry in entries where !names.contains(entry.key) {
            report(unknownKey(entry.key, in: "key", place: "in \(what)", candidates: names), at: entry.keyLocation)
        }
        var result: [String: JSONValue] = [:]
        for field in fields {
            let fieldPath = path + [field.name]
            if let entry = entries.first(where: { $0.key == field.name }), !entry.value.isNull || field.type.isAny {
                locations[fieldPath.joined(separator: ".")] = entry.value.location
                if let value = validate(entry.value, as: field.type, path: fieldPath) { result[field.name] = value }
            } else if let defaultValue = field.defaultValue {
                result[field.name] = defaultValue
            } else if field.required {
                report("\(what) is missing required key '\(field.name)'", at: location)
            }
        }
        return .object(result)
    }

    /// The validated value of `node` as `type`, or nil after reporting why not.
    mutating func validate(_ node: SpecNode, as type: FieldType, path: [String]) -> JSONValue? {
        switch type {
        case .string, .boolean, .integer, .number, .oneOf: return validateScalar(node, as: type, path: path)
        case .any: return node.json
        case .array(let element):
            guard let items = node.items else { return mismatch(node, type, path) }
            var values: [JSONValue] = []
            for (index, item) in items.enumerated() {
                let itemPath = path + [String(index)]
                locations[itemPath.joined(separator: ".")] = item.location
                if let value = validate(item, as: element, path: itemPath) { values.append(value) }
            }
            return values.count == items.count ? .array(values) : nil
        case .set(let element):
            // Repeats are reported but the list is kept, so checks that read it (outs, foreach) still run.
            guard let value = validate(node, as: .array(element), path: path), let values = value.arrayValue,
                  let items = node.items else { return nil }
            _ = reportRepeats(values, items: items, path: path)
            return value
        case .object(let fields):
            guard let entries = node.entries else { return mismatch(node, type, path) }
            return validateFields(entries, fields: fields, path: path, at: node.location, what: "'\(label(path))'")
        case .map(let valueType):
            guard let entries = node.entries else { return mismatch(node, type, path) }
            var members: [String: JSONValue] = [:]
            for entry in entries {
                let entryPath = path + [entry.key]
                locations[entryPath.joined(separator: ".")] = entry.value.location
                if let value = validate(entry.value, as: valueType, path: entryPath) { members[entry.key] = value }
            }
            return members.count == entries.count ? .object(members) : nil
        case .anyOf(let alternatives): return validateAnyOf(node, alternatives, path: path)
        case .reference, .references, .dependencies, .dependency: return validateReferences(node, as: type, path: path)
        }
    }

    /// The first alternative that validates cleanly; else the precise errors
    /// of the only alternative of the right shape, or a general mismatch.
    private mutating func validateAnyOf(_ node: SpecNode, _ alternatives: [FieldType], path: [String]) -> JSONValue? {
        let fitting = alternatives.filter { $0.fitsShape(of: node) }
        for alternative in fitting {
            var trial = self
            if let value = trial.validate(node, as: alternative, path: path), trial.diagnostics.count == diagnostics.count {
                self = trial
                return value
            }
        }
        if fitting.count == 1 { return validate(node, as: fitting[0], path: path) }
        return mismatch(node, .anyOf(alternatives), path)
    }

    private mutating func validateReferences(_ node: SpecNode, as type: FieldType, path: [String]) -> JSONValue? {
        if type.isSingleReference, node.string == nil { return mismatch(node, type, path) }
        if case .dependencies = type, node.items == nil { return mismatch(node, type, path) }
        let items = node.items ?? [node]
        var ok = true
        var seen: [String: Int] = [:]
        for (index, item) in items.enumerated() {
            guard let text = item.string else {
                ok = false
                report("'\(label(path))': expected a stage name, data.NAME\(type.acceptsPaths ? " or a path" : ""), "
                       + "got \(item.shapeDescription)", at: item.location)
                continue
            }
            switch type.acceptsPaths ? scope.dependency(text) : scope.reference(text) {
            case .success(let reference):
                let identity = if case .path(let path) = reference { SpecPaths.withoutDotSlash(path) } else { reference.description }
                if let earlier = seen[identity] {
                    ok = false
                    report("'\(label(path))': '\(text)' repeats item \(earlier) (line \(items[earlier].location.line)); remove one",
                           at: item.location)
                }
                seen[identity] = seen[identity] ?? index
                if !references.contains(reference) { references.append(reference) }
            case .failure(let diagnostic):
                ok = false
                report(diagnostic.message, at: item.location)
            }
        }
        return ok ? node.json : nil
    }

    /// Reports each item equal to an earlier one; true when there is none.
    mutating func reportRepeats(_ values: [JSONValue], items: [SpecNode], path: [String]) -> Bool {
        var first: [JSONValue: Int] = [:]
        var ok = true
        for (index, value) in values.enumerated() {
            if let earlier = first[value] {
                ok = false
                report("'\(label(path))': item \(items[index].shapeDescription) repeats item \(earlier) "
                       + "(line \(items[earlier].location.line)); remove one", at: items[index].location)
            } else {
                first[value] = index
            }
        }
        return ok
    }

    mutating func mismatch(_ node: SpecNode, _ type: FieldType, _ path: [String]) -> JSONValue? {
        report("'\(label(path))': expected \(type.summary), got \(node.shapeDescription)", at: node.location)
        return nil
    }

    func label(_ path: [String]) -> String { ([owner] + path).joined(separator: ".") }

    mutating func report(_ message: String, at location: SourceLocation) {
        diagnostics.append(Diagnostic(message, at: location))
    }
}
