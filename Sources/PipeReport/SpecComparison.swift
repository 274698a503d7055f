import PipeCore
import PipeSpec
import PipeStages

/// What differs between two resolved pipelines (`pipe diff A B`): every
/// value that changed, and which stages' results differ and why. Static: it
/// needs no cache and works on specs read from any git revision. A stage's
/// results differ when its kind, its fan-out or the values its kind keys on
/// changed (the stages' own key rule, `StageImplementation.keyParams`), an
/// input was added or removed, or an input differs itself; it `reruns`
/// exactly when `pipe plan` would run some of its tasks after a run of A.
public struct SpecComparison: Sendable {
    /// Why a stage's results differ between A and B.
    public enum Impact: Sendable, Equatable {
        case addedInB
        case removedInB
        /// Present in both; the reasons in the words `pipe plan` uses.
        case rerun([RunReason])
    }

    public struct StageChange: Sendable {
        public var stage: String
        public var impact: Impact

        /// One phrase per reason, relative to the stage.
        public var reasons: [String] {
            switch impact {
            case .addedInB: return ["added in b"]
            case .removedInB: return ["removed in b"]
            case .rerun(let reasons): return reasons.map { $0.text(stage: stage) }
            }
        }

        /// Whether `pipe plan` would run any of the stage's tasks: not when the
        /// stage is gone, nor when its fan-out only lost tasks (those that stay
        /// keep their keys; the stages reading it rerun, their input changed).
        public var reruns: Bool {
            switch impact {
            case .addedInB: return true
            case .removedInB: return false
            case .rerun(let reasons):
                return !reasons.allSatisfy {
                    if case .tasksChanged(let added, _) = $0 { return added.isEmpty }
                    return false
                }
            }
        }
    }

    /// Every value that differs between the resolved specs.
    public var valueChanges: [ValueChange]
    /// Stages of B (then removed stages of A) whose results differ, in B's order.
    public var changedStages: [StageChange] = []
    public var unchangedStages: [String] = []

    public init(_ a: PipelineSpec, _ b: PipelineSpec, registry: StageRegistry) {
        valueChanges = ValueChange.between(a.resolved, b.resolved)
        var impacted = Set<String>()
        let sourcesA = Dictionary(a.data.map { ($0.reference, $0) }, uniquingKeysWith: { x, _ in x })
        for source in b.data where Self.differs(sourcesA[source.reference], source, registry: registry) {
            impacted.insert(source.reference)
        }
        impacted.formUnion(a.data.map(\.reference).filter { name in !b.data.contains { $0.reference == name } })
        let stagesA = Dictionary(a.stages.map { ($0.name, $0) }, uniquingKeysWith: { x, _ in x })
        for stage in b.stages {
            guard let old = stagesA[stage.name] else {
                impacted.insert(stage.name)
                changedStages.append(StageChange(stage: stage.name, impact: .addedInB))
                continue
            }
            let reasons = Self.reasons(old, stage, impacted: impacted, registry: registry)
            if reasons.isEmpty {
                unchangedStages.append(stage.name)
            } else {
                impacted.insert(stage.name)
                changedStages.append(StageChange(stage: stage.name, impact: .rerun(reasons)))
            }
        }
        for stage in a.stages where !b.stages.contains(where: { $0.name == stage.name }) {
            changedStages.append(StageChange(stage: stage.name, impact: .removedInB))
        }
    }

    /// Why `new` reruns where `old` ran: the differences of its tasks' key
    /// signatures (inputs aside), tasks gained or lost, inputs added, removed or impacted.
    static func reasons(_ old: StageSpec, _ new: StageSpec, impacted: Set<String>,
                        registry: StageRegistry) -> [RunReason] {
        var reasons = taskReasons(old, new, registry: registry)
        let inputsA = Set(old.inputs.map(\.description)), inputsB = new.inputs.map(\.description)
        var seen = Set<String>()
        for name in inputsB where seen.insert(name).inserted {
            if !inputsA.contains(name) {
                reasons.append(.inputChanged(name: name, change: .added))
            } else if impacted.contains(name) {
                reasons.append(.inputChanged(name: name, change: .changed))
            }
        }
        reasons += inputsA.subtracting(inputsB).sorted().map { .inputChanged(name: $0, change: .removed) }
        return reasons
    }

    /// Differences in what the stage's tasks are keyed on, per task when the
    /// config alone decides the fan-out, else on the params every task shares.
    static func taskReasons(_ old: StageSpec, _ new: StageSpec, registry: StageRegistry) -> [RunReason] {
        guard let kindA = registry.stages[old.kind], let kindB = registry.stages[new.kind] else {
            return old.kind == new.kind && old.config == new.config ? [] : [.kindChanged(old: old.kind, new: new.kind)]
        }
        let tasksA = kindA.staticTasks(of: old), tasksB = kindB.staticTasks(of: new)
        var reasons: [RunReason] = []
        var items: [TaskItem] = [.single]
        if let tasksA, let tasksB {
            let indexesA = Set(tasksA.map(\.index)), indexesB = Set(tasksB.map(\.index))
            let added = tasksB.filter { !indexesA.contains($0.index) }, removed = tasksA.filter { !indexesB.contains($0.index) }
            if !added.isEmpty || !removed.isEmpty {
                reasons.append(.tasksChanged(added: added.map { $0.taskName(stage: new.name) },
                                             removed: removed.map { $0.taskName(stage: old.name) }))
            }
            items = tasksB.filter { indexesA.contains($0.index) }
        }
        var seen = Set<RunReason>()
        for item in items {
            let before = signature(kindA, old, item), after = signature(kindB, new, item)
            for reason in after.differences(from: before) where seen.insert(reason).inserted { reasons.append(reason) }
        }
        return reasons
    }

    /// A task's key signature without its inputs (those are compared by name and impact).
    static func signature(_ kind: any StageImplementation, _ stage: StageSpec, _ item: TaskItem) -> TaskSignature {
        TaskSignature(kind: kind.kind, kindVersion: kind.version, params: kind.keyParams(of: stage, item: item),
                      inputs: [:], fanOut: item.index)
    }

    /// Whether a data source's output may differ: a path source when its
    /// path changed (contents are not read here), a generator when the values
    /// it is keyed on changed.
    static func differs(_ old: DataSourceSpec?, _ new: DataSourceSpec, registry: StageRegistry) -> Bool {
        guard let old else { return true }
        guard let stageA = old.generatorStage, let stageB = new.generatorStage,
              let kindA = registry.generators[stageA.kind], let kindB = registry.generators[stageB.kind] else {
            return old.source != new.source
        }
        return !signature(kindB, stageB, .single).differences(from: signature(kindA, stageA, .single)).isEmpty
    }
}
