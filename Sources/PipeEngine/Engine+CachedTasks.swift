import Foundation
import PipeCache
import PipeCore
import PipeSpec
import PipeStages

extension Engine {
    /// What settling a chunk of a stage's tasks together found.
    struct CachedTasks {
        /// Outputs of the tasks whose results are cached and intact, by item index; those are reported.
        var outputs: [Int: Digest] = [:]
        /// Signatures and keys of the chunk's other tasks, by item index, so `settleTask` does not compute them again.
        var signatures: [Int: (signature: TaskSignature, key: Digest)] = [:]
    }

    /// Items of a stage taken at once: the signatures of a chunk are held
    /// together, never those of a whole 100,000-item fan-out.
    static let cachedTasksChunk = 4096

    /// Settles the tasks of `chunk` whose inputs are all ready and whose
    /// results are cached and intact, with one batched check
    /// (`Cache.intactRecords`) instead of a lookup per task, and reports them.
    /// Every other task is left to `settleTask`: one whose key cannot be
    /// computed, has no record, or whose output is missing or corrupt (the
    /// lookup there evicts, explains and asks the remote cache).
    func settleCachedTasks(_ stage: StageSpec, items: [TaskItem], chunk: Range<Int>,
                           implementation: any StageImplementation, inputs: [InputArtifact],
                           context: RunContext) async -> CachedTasks {
        var found = CachedTasks()
        guard !options.forced.contains(stage.name) else { return found }
        // Keys are computed on every core, as the task group would; a task whose key cannot be is left out.
        let keyed = Array(chunk).concurrentMap { index -> (index: Int, key: Digest, signature: TaskSignature)? in
            let item = items[index]
            guard let keyInputs = try? implementation.keyInputs(of: stage, item: item, inputs: inputs) else { return nil }
            let signature = TaskSignature(kind: implementation.kind, kindVersion: implementation.version,
                                          params: implementation.keyParams(of: stage, item: item),
                                          inputs: keyInputs, fanOut: item.index)
            return (index, signature.key, signature)
        }.compactMap { $0 }
        let requests = keyed.map { (key: $0.key, signature: $0.signature) }
        var reports: [TaskReport] = []
        for ((index, key, signature), record) in zip(keyed, cache.intactRecords(requests)) {
            guard let record else {
                found.signatures[index] = (signature, key)
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
