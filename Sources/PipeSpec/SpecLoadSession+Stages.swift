import PipeCore

extension SpecLoadSession {
    /// Validates `stages:`: each a mapping with a registered `kind`, every
    /// other key checked against the kind's fields, defaults filled in, and
    /// the references it names collected as its inputs.
    mutating func loadStages(_ node: SpecNode?, scope: ReferenceScope) -> [StageSpec] {
        (node?.entries ?? []).compactMap { entry in
            guard let members = entry.value.entries else {
                report("stage '\(entry.key)' must be a mapping with a 'kind', got \(entry.value.shapeDescription)",
                       at: entry.value.location)
                return nil
            }
            guard let schema = stageSchema(entry.key, members, at: entry.keyLocation) else { return nil }
            var validator = FieldValidator(scope: scope, owner: entry.key)
            // `resources` is how the task is scheduled, not what it computes: kept out of `config` and every key.
            let config = validator.validateFields(members.filter { $0.key != "kind" && $0.key != "resources" },
                                                  fields: schema.fields, path: [],
                                                  at: entry.keyLocation, what: "stage '\(entry.key)'")
            diagnostics += validator.diagnostics
            var locations = validator.locations
            locations["kind"] = members.first { $0.key == "kind" }?.value.location
            let resources = loadResources(members.first { $0.key == "resources" }?.value, owner: entry.key)
            let stage = StageSpec(name: entry.key, kind: schema.name, config: config, inputs: validator.references,
                                  location: entry.keyLocation, locations: locations, resources: resources)
            if schema.name == CommandKind.schema.name { checkCommandPaths(stage) }
            return stage
        }
    }

    /// The schema of the stage's `kind`, or nil after reporting a missing or unknown kind.
    private mutating func stageSchema(_ name: String, _ members: [SpecEntry],
                                      at location: SourceLocation) -> StageKindSchema? {
        let kinds = registry.stageKinds.keys.sorted()
        guard let kind = members.first(where: { $0.key == "kind" }) else {
            report("stage '\(name)' has no 'kind'; add 'kind: KIND' (one of \(kinds.map { "'\($0)'" }.joined(separator: ", ")))",
                   at: location)
            return nil
        }
        guard let kindName = kind.value.string else {
            report("'\(name).kind': expected a stage kind name, got \(kind.value.shapeDescription)", at: kind.value.location)
            return nil
        }
        guard let schema = registry.stageKinds[kindName] else {
            report(unknownKey(kindName, in: "stage kind", candidates: kinds), at: kind.value.location)
            return nil
        }
        return schema
    }

    /// Reports each cycle of the stage graph once, as `a -> b -> a`, at the
    /// location of its first stage in document order.
    mutating func checkAcyclic(_ stages: [StageSpec]) {
        let order = Dictionary(uniqueKeysWithValues: stages.enumerated().map { ($1.name, $0) })
        let edges = Dictionary(uniqueKeysWithValues: stages.map { stage in
            (stage.name, stage.inputs.compactMap { input -> String? in
                if case .stage(let name) = input { return name }
                return nil
            })
        })
        var state: [String: Bool] = [:]  // false: on the stack, true: done
        var stack: [String] = []
        var cycles: [[String]] = []
        func visit(_ name: String) {
            state[name] = false
            stack.append(name)
            for next in edges[name] ?? [] {
                if state[next] == nil { visit(next) } else if state[next] == false, let start = stack.firstIndex(of: next) {
                    cycles.append(Array(stack[start...]))
                }
            }
            stack.removeLast()
            state[name] = true
        }
        for stage in stages where state[stage.name] == nil { visit(stage.name) }
        for cycle in cycles {
            let first = cycle.indices.min { order[cycle[$0]] ?? 0 < order[cycle[$1]] ?? 0 } ?? 0
            let rotated = Array(cycle[first...] + cycle[..<first])
            let text = (rotated + [rotated[0]]).joined(separator: " -> ")
            report("stages form a cycle: \(text); remove one of these references",
                   at: stages[order[rotated[0]] ?? 0].location)
        }
    }

    /// The final document as `pipe show` and `pipe diff` print it.
    func resolvedDocument(name: String, root: SpecNode, params: JSONValue, data: [LoadedDataSource],
                          stages: [StageSpec], settings: PipelineSettings) -> JSONValue {
        var document: [String: JSONValue] = [
            "pipeline": .string(name),
            "params": params,
            "data": .object(Dictionary(uniqueKeysWithValues: data.map { ($0.spec.name, $0.resolved) })),
            "stages": .object(Dictionary(uniqueKeysWithValues: stages.map { stage in
                var config = stage.config.objectValue ?? [:]
                config["kind"] = .string(stage.kind)
                if stage.resources != StageResources() { config["resources"] = stage.resources.json }
                return (stage.name, JSONValue.object(config))
            })),
        ]
        if let extends = root["extends"]?.string { document["extends"] = .string(extends) }
        if settings != PipelineSettings() {
            var members: [String: JSONValue] = [:]
            if let executor = settings.executor { members["executor"] = .string(executor) }
            if settings.resources != StageResources() { members["resources"] = settings.resources.json }
            document["settings"] = .object(members)
        }
        if let description = root["description"]?.string { document["description"] = .string(description) }
        return .object(document)
    }
}
