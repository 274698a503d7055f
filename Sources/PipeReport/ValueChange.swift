import PipeCore

/// One value that differs between two resolved specs, at a dotted path
/// (`params.seed`, `data.external`, `train.optimizer.lr`). The one answer to
/// "what changed" that `pipe diff` lists and `pipe log` writes in its
/// "changed vs parent" column.
public struct ValueChange: Sendable, Equatable {
    /// Dotted path: `params.NAME...`, `data.NAME...` or `STAGE.FIELD...`.
    public var path: String
    /// The value before, nil when the path did not exist.
    public var old: JSONValue?
    /// The value after, nil when the path no longer exists.
    public var new: JSONValue?

    public init(path: String, old: JSONValue?, new: JSONValue?) {
        self.path = path
        self.old = old
        self.new = new
    }

    /// Where the value lives: `params`, `data.NAME` or a stage name.
    public var scope: String {
        let parts = path.split(separator: ".", omittingEmptySubsequences: false)
        return parts.prefix(parts.first == "data" ? 2 : 1).joined(separator: ".")
    }

    /// The path inside `scope` (`scale`, `optimizer.lr`); empty for a whole data source or stage.
    public var field: String { path == scope ? "" : String(path.dropFirst(scope.count + 1)) }

    /// `train.batch 8 -> 16`, `data.external (unset) -> {...}`.
    public var text: String { "\(path) \(Self.show(old)) -> \(Self.show(new))" }

    /// `scope` and `path` inside it (as `pipe diff --json` has always named them), `key_path` the whole path.
    public var json: JSONValue {
        .object(["scope": .string(scope), "path": .string(field), "key_path": .string(path), "a": old ?? .null,
                 "b": new ?? .null])
    }

    static func show(_ value: JSONValue?) -> String { value?.display ?? "(unset)" }

    /// Every difference between two resolved documents (`PipelineSpec.resolved`):
    /// params, data sources and stage configs, sorted by path. A value that
    /// exists on one side only is one change at its own path (never one line
    /// per leaf, never an empty path); lists compare whole; `description`s
    /// (of the pipeline or a stage) are prose, not changes.
    public static func between(_ a: JSONValue, _ b: JSONValue) -> [ValueChange] {
        var result: [ValueChange] = []
        for section in ["params", "data"] {
            collect(a[section] ?? .object([:]), b[section] ?? .object([:]), path: section, into: &result)
        }
        let stagesA = a["stages"]?.objectValue ?? [:], stagesB = b["stages"]?.objectValue ?? [:]
        for name in Set(stagesA.keys).union(stagesB.keys).sorted() {
            collect(withoutDescription(stagesA[name]), withoutDescription(stagesB[name]), path: name, into: &result)
        }
        return result
    }

    /// Appends the differences under `path`, descending only into objects present on both sides.
    static func collect(_ a: JSONValue?, _ b: JSONValue?, path: String, into result: inout [ValueChange]) {
        if case .object(let x)? = a, case .object(let y)? = b {
            for key in Set(x.keys).union(y.keys).sorted() {
                collect(x[key], y[key], path: "\(path).\(key)", into: &result)
            }
        } else if a != b {
            result.append(ValueChange(path: path, old: a, new: b))
        }
    }

    static func withoutDescription(_ stage: JSONValue?) -> JSONValue? {
        guard case .object(var members)? = stage else { return stage }
        members["description"] = nil
        return .object(members)
    }
}
