import PipeCore

extension SpecLoadSession {
    /// Applies `--set key.path=value` overrides in order, after `extends` and
    /// before interpolation. Paths: `params.x`, `data.x...`, `stages.NAME.x`,
    /// `NAME.x` for a stage, `pipeline`, `description`.
    mutating func applyOverrides(_ overrides: [String], to root: SpecNode) -> SpecNode {
        var root = root
        for argument in overrides { applyOverride(argument, to: &root) }
        return root
    }

    private mutating func applyOverride(_ argument: String, to root: inout SpecNode) {
        let file = "--set \(argument)"
        guard let equals = argument.firstIndex(of: "="), equals != argument.startIndex else {
            report("--set expects key.path=value, got '\(argument)'", at: nil)
            return
        }
        let keyText = String(argument[..<equals])
        let path = keyText.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard !path.contains("") else {
            report("--set path '\(keyText)' has an empty component; write it like 'train.lr'", at: nil)
            return
        }
        let column = keyText.count + 2
        guard let value = overrideValue(String(argument[argument.index(after: equals)...]), file: file, column: column),
              let target = overridePath(path, in: root) else { return }
        if let updated = setting(value, at: target[...], in: root, done: [], argument: argument) { root = updated }
    }

    /// The value of an override: a flow collection or quoted scalar is parsed
    /// as YAML; anything else is one plain scalar resolved by the core schema.
    private mutating func overrideValue(_ text: String, file: String, column: Int) -> SpecNode? {
        let location = SourceLocation(file: file, line: 1, column: column)
        guard let first = text.first, "[{\"'".contains(first) else {
            switch YAMLScalar.resolve(text, tag: nil, plain: true) {
            case .success(let value): return SpecNode(.scalar(value), at: location)
            case .failure(let problem):
                report(problem.message, at: location)
                return nil
            }
        }
        let document = YAMLComposer.compose(text, file: file, columnOffset: column - 1)
        diagnostics += document.diagnostics
        if document.failed { return nil }
        return document.root ?? SpecNode(.scalar(.null), at: location)
    }

    /// The full document path for an override key, resolving the short form
    /// `NAME.x` to `stages.NAME.x`; nil after reporting an unknown target.
    private mutating func overridePath(_ path: [String], in root: SpecNode) -> [String]? {
        let stageNames = root["stages"]?.entries?.map(\.key) ?? []
        let key = path.joined(separator: ".")
        switch path[0] {
        case "params", "data", "pipeline", "description":
            return path
        case "extends":
            report("--set cannot change 'extends' (it resolves before overrides); edit the spec", at: nil)
            return nil
        case "stages":
            guard path.count >= 2 else { return path }
            if stageNames.contains(path[1]) { return path }
            report(unknownKey(path[1], in: "stage in --set '\(key)'", candidates: stageNames), at: nil)
            return nil
        case let name where stageNames.contains(name):
            guard path.count >= 2 else {
                report("--set '\(key)' names a whole stage; set one of its keys, like '\(name).KEY=value'", at: nil)
                return nil
            }
            return ["stages"] + path
        default:
            let candidates = ["params", "data", "stages", "pipeline", "description"] + stageNames
            report(unknownKey(path[0], in: "--set target", candidates: candidates) + " (in '\(key)')", at: nil)
            return nil
        }
    }

    /// `node` with `value` stored at `path`, creating mappings on the way;
    /// nil after reporting a path that runs through a scalar or past a list.
    private mutating func setting(_ value: SpecNode, at path: ArraySlice<String>, in node: SpecNode,
                                  done: [String], argument: String) -> SpecNode? {
        guard let key = path.first else { return value }
        var node = node
        if node.isNull { node = SpecNode(.mapping([]), at: value.location) }
        let here = (done + [key]).joined(separator: ".")
        switch node.value {
        case .mapping:
            let child = node[key] ?? SpecNode(.mapping([]), at: value.location)
            guard let updated = setting(value, at: path.dropFirst(), in: child, done: done + [key],
                                        argument: argument) else { return nil }
            node.set(key, updated, keyLocation: value.location)
            return node
        case .sequence(var items):
            guard let index = Int(key), items.indices.contains(index) else {
                report("--set '\(argument)': '\(here)' is not an index of the list (it has \(items.count) items)", at: nil)
                return nil
            }
            guard let updated = setting(value, at: path.dropFirst(), in: items[index], done: done + [key],
                                        argument: argument) else { return nil }
            items[index] = updated
            return SpecNode(.sequence(items), at: node.location)
        case .scalar:
            let parent = done.joined(separator: ".")
            report("--set '\(argument)': '\(parent)' is \(node.shapeDescription), not a mapping", at: nil)
            return nil
        }
    }
}
