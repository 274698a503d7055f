import Foundation
import PipeCache
import PipeCore
import PipeSpec
import PipeStages

extension Engine {
    /// What settling a stage's cached tasks together found.
    struct CachedTasks {
        /// Outputs of the tasks whose results are cached and intact, by item index; those are reported.
        var outputs: [Int: Digest] = [:]
        /// Signatures of the other tasks, by item index, so `settleTask` does not compute them again.
        var signatures: [Int: TaskSignature] = [:]
    }

    /// Settles the tasks of a stage whose inputs are all ready and whose
    /// results are cached and intact, with one batched check
    /// (`Cache.intactRecords`) instead of a lookup per task, and reports them.
    /// Every other task is left to `settleTask`: one whose key cannot be
    /// computed, has no record, or whose output is missing or corrupt (the
    /// lookup there evicts, explains and asks the remote cache).
    func settleCachedTasks(_ stage: StageSpec, items: [TaskItem], implementation: any StageImplementation,
                           inputs: [InputArtifact], context: RunContext) async -> CachedTasks {
        var found = CachedTasks()
        guard !options.forced.contains(stage.name) else { return found }
        var requests: [(key: Digest, signature: TaskSignature)] = []
        var indices: [Int] = []
        for (index, item) in items.enumerated() {
            guard let keyInputs = try? implementation.keyInputs(of: stage, item: item, inputs: inputs) else { continue }
            let signature = TaskSignature(kind: implementation.kind, kindVersion: implementation.version,
                                          params: implementation.keyParams(of: stage, item: item),
                                          inputs: keyInputs, fanOut: item.index)
            requests.append((signature.key, signature))
            indices.append(index)
        }
        var reports: [TaskReport] = []
        for ((key, signature), (index, record)) in zip(requests, zip(indices, cache.intactRecords(requests))) {
            guard let record else {
                found.signatures[index] = signature
                continue
            }
            let task = items[index].taskName(stage: stage.name)
            await recordHistory(task: task, stage: stage, key: key, status: .cached, reasons: [], record: record,
                                context: context)
            reports.append(TaskReport(stage: stage.name, task: task, status: .cached, seconds: record.seconds, key: key,
                                      output: record.output, metrics: record.metrics))
            found.outputs[index] = record.output
        }
        await report(reports, node: stage.name)
        return found
    }
}
