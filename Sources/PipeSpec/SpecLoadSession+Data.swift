import PipeCore

/// A validated data source and how `pipe show` prints it.
struct LoadedDataSource {
    var spec: DataSourceSpec
    var resolved: JSONValue
}

extension SpecLoadSession {
    /// Validates `data:`: each entry a path (string or `{path: ...}`) relative
    /// to the spec, or `{GENERATOR: {options}}` with GENERATOR registered.
    mutating func loadDataSources(_ node: SpecNode?, scope: ReferenceScope) -> [LoadedDataSource] {
        (node?.entries ?? []).compactMap { entry in
            let location = entry.keyLocation
            if let path = entry.value.string { return pathSource(entry.key, path, entry.value, scope: scope) }
            guard let members = entry.value.entries else {
                report("data source '\(entry.key)' must be a path or a generator like {synthetic: {...}}, "
                       + "got \(entry.value.shapeDescription)", at: entry.value.location)
                return nil
            }
            guard members.count == 1, let member = members.first else {
                let keys = members.map { "'\($0.key)'" }.joined(separator: ", ")
                report("data source '\(entry.key)' must have exactly one key (a path or one generator), "
                       + "got \(members.isEmpty ? "none" : keys)", at: location)
                return nil
            }
            if member.key == "path" {
                guard let path = member.value.string else {
                    report("'data.\(entry.key).path': expected a string, got \(member.value.shapeDescription)",
                           at: member.value.location)
                    return nil
                }
                return pathSource(entry.key, path, member.value, scope: scope)
            }
            return generatorSource(entry.key, member, at: location, scope: scope)
        }
    }

    private mutating func pathSource(_ name: String, _ path: String, _ node: SpecNode,
                                     scope: ReferenceScope) -> LoadedDataSource? {
        guard reader.exists(path, relativeTo: scope.base) else {
            let absolute = SpecPaths.resolve(path, relativeTo: scope.base).path
            report("data source '\(name)': path '\(path)' does not exist (looked for \(absolute)); "
                   + "create it or fix the path", at: node.location)
            return nil
        }
        let url = SpecPaths.resolve(path, relativeTo: scope.base)
        return LoadedDataSource(spec: DataSourceSpec(name: name, source: .path(url), location: node.location),
                                resolved: .string(path))
    }

    private mutating func generatorSource(_ name: String, _ member: SpecEntry, at location: SourceLocation,
                                          scope: ReferenceScope) -> LoadedDataSource? {
        guard let schema = registry.dataGenerators[member.key] else {
            let candidates = ["path"] + registry.dataGenerators.keys.sorted()
            report(unknownKey(member.key, in: "data generator", place: "for data source '\(name)'",
                              candidates: candidates), at: member.keyLocation)
            return nil
        }
        let entries: [SpecEntry]
        if member.value.isNull {
            entries = []
        } else if let given = member.value.entries {
            entries = given
        } else {
            report("'data.\(name).\(member.key)': expected a mapping of options, got \(member.value.shapeDescription)",
                   at: member.value.location)
            return nil
        }
        var validator = FieldValidator(scope: scope, owner: "data.\(name).\(member.key)")
        let options = validator.validateFields(entries, fields: schema.fields, path: [], at: member.keyLocation,
                                               what: "generator '\(member.key)' of data source '\(name)'")
        diagnostics += validator.diagnostics
        guard validator.diagnostics.isEmpty else { return nil }
        let source = DataSourceSpec.Source.generator(kind: member.key, options: options)
        return LoadedDataSource(spec: DataSourceSpec(name: name, source: source, location: location,
                                                     locations: validator.locations),
                                resolved: .object([member.key: options]))
    }
}
