/// Why a task will run, or did (llbuild's `RunReason`, in the user's words).
public enum RunReason: Sendable, Hashable {
    /// No run of this task (in this pipeline or its parents) is known.
    case neverRun
    /// `--force STAGE`.
    case forced
    /// A param the stage reads changed: dotted path inside the stage, old and new value.
    case paramChanged(path: String, old: JSONValue?, new: JSONValue?)
    /// An input artifact's digest changed (or the input was added or removed).
    case inputChanged(name: String, change: InputChange)
    /// The stage's kind changed (`kind: tile` -> `kind: command`).
    case kindChanged(old: String, new: String)
    /// The stage's fan-out gained or lost tasks (`only_folds`, a `foreach` list): task names.
    case tasksChanged(added: [String], removed: [String])
    /// The kind's algorithm version changed: its output would differ.
    case kindVersionChanged(old: Int, new: Int)
    /// pipe's key format changed (`TaskSignature.keyFormat`): results of older pipes are not reused.
    case keyFormatChanged(old: Int, new: Int)
    /// The key was computed before but its output object is gone.
    case outputMissing
    /// The run record or output failed its integrity check and was evicted.
    case corrupt(String)
    /// An upstream task will run first; this one reruns only if that output changes.
    case upstreamPending([String])
    /// An upstream task will run first, and this one runs anyway: its own key
    /// already changed (the reasons before this one say how).
    case upstreamRunsFirst([String])
    /// Another `pipe` computed this key while this one waited for its lock.
    case computedByAnotherRun
    /// Something the stage reads failed, so it was skipped.
    case inputFailed

    public enum InputChange: Sendable, Hashable {
        case changed, added, removed
    }

    /// Several reasons as one phrase (`pipe plan`'s "why" column, the run history).
    public static func phrase(_ reasons: [RunReason], stage: String) -> String {
        reasons.map { $0.text(stage: stage) }.joined(separator: "; ")
    }

    /// One line for `pipe plan`, relative to the stage named `stage`.
    public func text(stage: String) -> String {
        switch self {
        case .neverRun: return "never run"
        case .forced: return "forced"
        case .paramChanged(let path, let old, let new):
            return "param \(stage).\(path) \(old?.display ?? "(unset)") -> \(new?.display ?? "(unset)")"
        case .inputChanged(let name, .changed): return "input \(name) changed"
        case .inputChanged(let name, .added): return "input \(name) added"
        case .inputChanged(let name, .removed): return "input \(name) removed"
        case .kindChanged(let old, let new): return "kind \(old) -> \(new)"
        case .tasksChanged(let added, let removed):
            return (added.map { "task \($0) added" } + removed.map { "task \($0) removed" }).joined(separator: "; ")
        case .kindVersionChanged(let old, let new): return "algorithm version v\(old) -> v\(new)"
        case .keyFormatChanged(let old, let new): return "cache key format v\(old) -> v\(new) (new pipe version)"
        case .outputMissing: return "output missing"
        case .corrupt(let what): return "\(what) corrupt; evicted"
        case .upstreamPending(let names):
            return "upstream \(names.joined(separator: ", ")) will run; reruns only if its output changes"
        case .upstreamRunsFirst(let names): return "upstream \(names.joined(separator: ", ")) will run first"
        case .computedByAnotherRun: return "computed by another pipe run"
        case .inputFailed: return "an input failed"
        }
    }
}

extension TaskSignature {
    /// Explains, field by field, why `self` differs from the `previous`
    /// signature of the same task. Empty when they are identical.
    public func differences(from previous: TaskSignature) -> [RunReason] {
        var reasons: [RunReason] = []
        if format != previous.format { reasons.append(.keyFormatChanged(old: previous.format, new: format)) }
        if kind != previous.kind { reasons.append(.kindChanged(old: previous.kind, new: kind)) }
        if kindVersion != previous.kindVersion {
            reasons.append(.kindVersionChanged(old: previous.kindVersion, new: kindVersion))
        }
        let new = params.flattened(), old = previous.params.flattened()
        for path in Set(new.keys).union(old.keys).sorted() where new[path] != old[path] {
            reasons.append(.paramChanged(path: path, old: old[path], new: new[path]))
        }
        for name in Set(inputs.keys).union(previous.inputs.keys).sorted() {
            switch (previous.inputs[name], inputs[name]) {
            case (nil, _?): reasons.append(.inputChanged(name: name, change: .added))
            case (_?, nil): reasons.append(.inputChanged(name: name, change: .removed))
            case (let a?, let b?) where a != b: reasons.append(.inputChanged(name: name, change: .changed))
            default: break
            }
        }
        return reasons
    }
}
