import Foundation
import PipeCache
import PipeCore
import PipeSpec
import PipeStages

extension Engine {
    /// Decides one task: cached, will run (planning), or runs it now.
    /// `signature` is the task's with its key, when already computed from `inputs`.
    func settleTask(_ stage: StageSpec, item: TaskItem, implementation: any StageImplementation, inputs: [InputArtifact]?,
                    signature known: (signature: TaskSignature, key: Digest)? = nil, pending: [String], upstream: [String: NodeOutcome],
                    earlierKeys: PreviousKeys, context: RunContext) async -> TaskResult {
        let task = item.taskName(stage: stage.name)
        let forced = options.forced.contains(stage.name)
        guard let inputs else {
            let previous = previousSignature(of: task, earlierKeys: earlierKeys)
            // Upstream will run first: say what is known to differ already
            // (params, inputs that are ready such as a changed script).
            var reasons = previous.map { prior in
                TaskSignature(kind: implementation.kind, kindVersion: implementation.version,
                              params: implementation.keyParams(of: stage, item: item),
                              inputs: knownInputDigests(stage, item: item, implementation: implementation,
                                                        names: pending, upstream: upstream, previous: prior.inputs),
                              fanOut: item.index).differences(from: prior)
            } ?? [.neverRun]
            let waiting = pending.filter { if case .pending = upstream[$0] { return true }; return false }
            reasons.append(reasons.isEmpty ? .upstreamPending(waiting) : .upstreamRunsFirst(waiting))
            await report(TaskReport(stage: stage.name, task: task, status: .willRun, reasons: reasons), node: stage.name)
            return .pending
        }
        let signature: TaskSignature, key: Digest
        if let known {
            (signature, key) = known
        } else {
            do {
                signature = TaskSignature(kind: implementation.kind, kindVersion: implementation.version,
                                          params: implementation.keyParams(of: stage, item: item),
                                          inputs: try implementation.keyInputs(of: stage, item: item, inputs: inputs),
                                          fanOut: item.index)
            } catch {
                await report(failure(stage, task: task, error), node: stage.name)
                return .failed
            }
            key = signature.key
        }
        var reasons: [RunReason]
        switch cache.lookup(key, signature: signature) {
        case .hit(let record) where !forced:
            await recordHistory(task: task, stage: stage, key: key, status: .cached, reasons: [], record: record, context: context)
            await report(TaskReport(stage: stage.name, task: task, status: .cached, seconds: record.seconds, key: key,
                                    output: record.output, metrics: record.metrics), node: stage.name)
            return .done(record.output)
        case .hit:
            reasons = [.forced]
        case .evicted(let what, _):
            reasons = forced ? [.forced] : [what == "output" ? .outputMissing
                                            : .corrupt(what == "corrupt output" ? "output" : what)]
        case .corrupt:  // Cache.lookup has turned it into an eviction already
            reasons = [.corrupt("output")]
        case .miss:
            reasons = forced ? [.forced] : cache.wasEvictedAsTainted(key) ? [.corrupt("input")]
                : explain(signature, previous: previousSignature(of: task, earlierKeys: earlierKeys))
        }
        if options.planOnly {
            await report(TaskReport(stage: stage.name, task: task, status: .willRun, reasons: reasons, key: key),
                         node: stage.name)
            return .pending
        }
        return await runTask(stage, item: item, implementation: implementation, inputs: inputs, signature: signature, key: key,
                             reasons: reasons, forced: forced, earlierKeys: earlierKeys, context: context)
    }

    /// A task's input digests while some upstream is still pending: the
    /// current digest of every input that is ready, the previous one of each
    /// input that is not (it may come out unchanged).
    func knownInputDigests(_ stage: StageSpec, item: TaskItem, implementation: any StageImplementation,
                           names: [String], upstream: [String: NodeOutcome], previous: [String: Digest]) -> [String: Digest] {
        let ready = names.compactMap { name -> InputArtifact? in
            if case .ready(let artifact)? = upstream[name] { return artifact }
            return nil
        }
        guard let current = try? implementation.keyInputs(of: stage, item: item, inputs: ready) else { return previous }
        return previous.merging(current) { _, new in new }
    }

    /// Why a task with no record must run, relative to its last known signature.
    func explain(_ signature: TaskSignature, previous: TaskSignature?) -> [RunReason] {
        guard let previous else { return [.neverRun] }
        if previous.key == signature.key { return [.outputMissing] }
        let differences = signature.differences(from: previous)
        return differences.isEmpty ? [.neverRun] : differences
    }

    /// The signature this task had in this pipeline's last run, or else in the
    /// nearest ancestor's (`extends`), so a new version is explained against its parent.
    func previousSignature(of task: String, earlierKeys: PreviousKeys) -> TaskSignature? {
        earlierKeys.first(of: task) { cache.records.read($0) }?.signature
    }

    /// The earlier keys of `stage`'s tasks, in this pipeline and its ancestors.
    func previousKeys(of stage: StageSpec) -> PreviousKeys {
        PreviousKeys(database: cache.database, stage: stage.name, lineage: [spec.name] + spec.ancestors.map(\.name))
    }

    func recordHistory(task: String, stage: StageSpec, key: Digest?, status: TaskStatus, reasons: [RunReason],
                       record: RunRecord?, seconds: Double? = nil, context: RunContext) async {
        context.history?.add(TaskHistoryEntry(
            task: task, stage: stage.name, key: key, status: status.rawValue,
            reason: RunReason.phrase(reasons, stage: stage.name), seconds: seconds ?? record?.seconds, output: record?.output,
            metrics: record?.metrics ?? .object([:])), durable: status != .cached)
    }
}
