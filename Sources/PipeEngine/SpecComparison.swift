import PipeCore
import PipeSpec

/// What differs between two resolved pipelines (`pipe diff A B`): params
/// side by side, and which stages' keys differ and why. Static: it compares
/// resolved specs and propagates changes downstream, so it needs no cache
/// and works on specs read from any git revision.
public struct SpecComparison: Sendable {
    public struct ParamChange: Sendable {
        /// `params`, `data.NAME` or a stage name.
        public var scope: String
        public var path: String
        public var old: JSONValue?
        public var new: JSONValue?

        public var json: JSONValue {
            .object(["scope": .string(scope), "path": .string(path), "a": old ?? .null, "b": new ?? .null])
        }
    }

    public struct StageChange: Sendable {
        public var stage: String
        public var reasons: [String]
    }

    public var paramChanges: [ParamChange] = []
    public var changedStages: [StageChange] = []
    public var unchangedStages: [String] = []

    public init(_ a: PipelineSpec, _ b: PipelineSpec) {
        paramChanges += Self.changes(scope: "params", a.params, b.params)
        var changedNodes: [String: [String]] = [:]
        let dataA = Dictionary(a.data.map { ($0.reference, Self.json(of: $0.source)) }, uniquingKeysWith: { x, _ in x })
        let dataB = Dictionary(b.data.map { ($0.reference, Self.json(of: $0.source)) }, uniquingKeysWith: { x, _ in x })
        for name in Set(dataA.keys).union(dataB.keys).sorted() where dataA[name] != dataB[name] {
            paramChanges += Self.changes(scope: name, dataA[name] ?? .null, dataB[name] ?? .null)
            changedNodes[name] = [dataA[name] == nil ? "added" : dataB[name] == nil ? "removed" : "source changed"]
        }
        let stagesA = Dictionary(a.stages.map { ($0.name, $0) }, uniquingKeysWith: { x, _ in x })
        for stage in b.stages {
            guard let old = stagesA[stage.name] else {
                changedNodes[stage.name] = ["added in b"]
                continue
            }
            var reasons: [String] = []
            if old.kind != stage.kind { reasons.append("kind \(old.kind) -> \(stage.kind)") }
            let changes = Self.changes(scope: stage.name, Self.keyed(old.config), Self.keyed(stage.config))
            paramChanges += Self.changes(scope: stage.name, old.config, stage.config)
            reasons += changes.map { "param \(stage.name).\($0.path) \($0.old?.display ?? "(unset)") -> \($0.new?.display ?? "(unset)")" }
            let upstream = stage.inputs.map(\.description).filter { changedNodes[$0] != nil }
            reasons += upstream.map { "input \($0) changed" }
            if !reasons.isEmpty { changedNodes[stage.name] = reasons }
        }
        for stage in b.stages {
            if let reasons = changedNodes[stage.name] {
                changedStages.append(StageChange(stage: stage.name, reasons: reasons))
            } else {
                unchangedStages.append(stage.name)
            }
        }
        for stage in a.stages where !b.stages.contains(where: { $0.name == stage.name }) {
            changedStages.append(StageChange(stage: stage.name, reasons: ["removed in b"]))
        }
    }

    /// The config without fields that never reach a key (a stage's description).
    static func keyed(_ config: JSONValue) -> JSONValue {
        guard case .object(var members) = config else { return config }
        members["description"] = nil
        return .object(members)
    }

    static func json(of source: DataSourceSpec.Source) -> JSONValue {
        switch source {
        case .path(let url): return .object(["path": .string(url.path)])
        case .generator(let kind, let options): return .object([kind: options])
        }
    }

    static func changes(scope: String, _ a: JSONValue, _ b: JSONValue) -> [ParamChange] {
        let old = a.flattened(), new = b.flattened()
        return Set(old.keys).union(new.keys).sorted().compactMap { path in
            old[path] == new[path] ? nil : ParamChange(scope: scope, path: path, old: old[path], new: new[path])
        }
    }
}
