import Foundation
import PipeCache
import PipeCore
import PipeSpec
import PipeStages

extension Engine {
    /// Settles every task of one stage (or data generator) and combines their
    /// outputs into the artifact its consumers read.
    func resolveStage(_ stage: StageSpec, implementation: any StageImplementation, inputs names: [String],
                      upstream: [String: NodeOutcome], context: RunContext) async -> NodeOutcome {
        let outcomes = names.map { upstream[$0] ?? .failed }
        if outcomes.contains(where: { if case .failed = $0 { return true }; return false }) {
            await report(TaskReport(stage: stage.name, task: stage.name, status: .skipped,
                                    reasons: [.inputFailed]), node: stage.name)
            return .failed
        }
        let ready = outcomes.compactMap { outcome -> InputArtifact? in
            if case .ready(let artifact) = outcome { return artifact }
            return nil
        }
        let known = ready.count == outcomes.count ? ready : nil
        let items: [TaskItem]
        do {
            guard let listed = try listTasks(stage, implementation: implementation, inputs: known) else {
                let pending = names.filter { if case .pending = upstream[$0] { return true }; return false }
                await report(TaskReport(stage: stage.name, task: "\(stage.name)[*]", status: .willRun,
                                        reasons: [.upstreamPending(pending)]),
                             node: stage.name)
                return .pending
            }
            items = listed
        } catch {
            await report(failure(stage, task: stage.name, error), node: stage.name)
            return .failed
        }
        if let unsafe = items.first(where: { $0.index.map { !PathSafety.isSafeComponent($0) } ?? false }) {
            // The spec layer should have refused it; never let it become a path under a view or runs/.
            await report(failure(stage, task: stage.name, StageError(
                "foreach item '\(unsafe.index ?? "")' of stage \(stage.name) cannot name a folder (empty, '.', '..', "
                + "'/' or NUL); use plain names", at: stage.location)), node: stage.name)
            return .failed
        }
        // At most `window` tasks of the stage are in flight: enough to keep every job slot busy while
        // the rest are looked up, without holding a suspended task per item of a 100,000-item fan-out.
        // Items are taken a chunk at a time, the chunk's cached tasks settled together first.
        let window = options.jobs + 64
        let earlierKeys = previousKeys(of: stage)
        let results = await withTaskGroup(of: (Int, TaskResult).self) { group in
            var results = [TaskResult](repeating: .failed, count: items.count)
            var nextChunk = 0
            var waiting: [Int] = []  // the current chunk's tasks not started yet, last first
            var signatures: [Int: (signature: TaskSignature, key: Digest)] = [:]
            func addNext() async {
                while waiting.isEmpty {
                    guard nextChunk < items.count else { return }
                    let chunk = nextChunk..<min(items.count, nextChunk + Self.cachedTasksChunk)
                    nextChunk = chunk.upperBound
                    let cached = if let known {
                        await settleCachedTasks(stage, items: items, chunk: chunk, implementation: implementation,
                                                inputs: known, context: context)
                    } else { CachedTasks() }
                    for (index, output) in cached.outputs { results[index] = .done(output) }
                    waiting = chunk.reversed().filter { cached.outputs[$0] == nil }
                    signatures = cached.signatures
                }
                let index = waiting.removeLast(), item = items[index], signature = signatures.removeValue(forKey: index)
                group.addTask {
                    (index, await self.settleTask(stage, item: item, implementation: implementation, inputs: known,
                                                  signature: signature, pending: names, upstream: upstream,
                                                  earlierKeys: earlierKeys, context: context))
                }
            }
            for _ in 0..<window { await addNext() }
            for await (index, result) in group {
                results[index] = result
                await addNext()
            }
            return results
        }
        return combine(stage, items: items, results: results)
    }

    /// The artifact consumers see: the single task's output, or for a fan-out
    /// a tree holding each task's output under its index.
    func combine(_ stage: StageSpec, items: [TaskItem], results: [TaskResult]) -> NodeOutcome {
        var outputs: [(TaskItem, Digest)] = []
        for (item, result) in zip(items, results) {
            switch result {
            case .failed: return .failed
            case .pending: return .pending
            case .done(let digest): outputs.append((item, digest))
            }
        }
        do {
            let digest: Digest
            if items.count == 1, items[0].index == nil {
                digest = outputs[0].1
            } else {
                var entries: [TreeManifest.Entry] = []
                for (item, output) in outputs {
                    guard let manifest = cache.objects.manifest(output) else { return .failed }
                    entries += manifest.entries.map {
                        TreeManifest.Entry(path: "\(item.index ?? "")/\($0.path)", executable: $0.executable,
                                           digest: $0.digest, size: $0.size)
                    }
                }
                let combined = TreeManifest(entries: entries)
                digest = try cache.objects.put(combined.json.canonicalData)
            }
            let path = try viewIfLocal(digest)
            return .ready(InputArtifact(name: stage.name, path: URL(fileURLWithPath: path), digest: digest,
                                        manifest: cache.objects.manifest(digest)))
        } catch {
            if let error = error as? CacheError { cache.evictCorrupt(Set(error.corruptObjects)) }
            return .failed
        }
    }

    func report(_ report: TaskReport, node: String) async {
        await self.report([report], node: node)
    }

    /// Reports many tasks of `node` with one call to the collector.
    func report(_ reports: [TaskReport], node: String) async {
        guard !reports.isEmpty else { return }
        let reports = reports.map { withExecutorDetails($0, node: node) }
        await collector.add(reports, node: node)
        for report in reports { observer?.taskFinished(report) }
    }

    /// The report of a failed task: why it ran (`reasons`), the error, and the log tail.
    func failure(_ stage: StageSpec, task: String, _ error: Error, reasons: [RunReason] = [], seconds: Double? = nil,
                 key: Digest? = nil) -> TaskReport {
        let log = (error as? StageError)?.log
        return TaskReport(stage: stage.name, task: task, status: .failed, reasons: reasons, seconds: seconds, key: key,
                          error: "\(error)", log: log?.isEmpty == false ? log : nil)
    }
}

/// How one task ended, for combining a stage's outputs.
enum TaskResult: Sendable {
    case done(Digest)
    case pending
    case failed
}
