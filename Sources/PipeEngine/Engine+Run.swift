import Foundation
import PipeCache
import PipeCore
import PipeSpec
import PipeStages

extension Engine {
    /// Runs one task under its key's lock. Once the lock is held (at once, or
    /// after waiting for another `pipe` computing the same key, or after
    /// waiting for a free job slot) the record is looked up again: whatever
    /// another run finished meanwhile is reused, so a key is never computed twice.
    func runTask(_ stage: StageSpec, item: TaskItem, implementation: any StageImplementation, inputs: [InputArtifact],
                 signature: TaskSignature, key: Digest, reasons: [RunReason], forced: Bool, earlierKeys: PreviousKeys,
                 context: RunContext) async -> TaskResult {
        let task = item.taskName(stage: stage.name)
        await semaphore.acquire()
        defer { Task { await semaphore.release() } }
        let lock: TaskLock
        do {
            if let free = try TaskLock.tryAcquire(root: cache.root, key: key) {
                lock = free
            } else {
                observer?.taskProgress(task, fraction: nil, message: "waiting for another pipe computing \(key.short)")
                lock = try await TaskLock.acquire(root: cache.root, key: key)
            }
        } catch {
            await report(failure(stage, task: task, error, reasons: reasons, key: key), node: stage.name)
            return .failed
        }
        defer { lock.release() }
        if !forced, case .hit(let record) = cache.lookup(key) {
            let reason: [RunReason] = [.computedByAnotherRun]
            await recordHistory(task: task, stage: stage, key: key, status: .cached, reasons: reason,
                                record: record, context: context)
            await report(TaskReport(stage: stage.name, task: task, status: .cached, reasons: reason,
                                    seconds: record.seconds, key: key, output: record.output,
                                    metrics: record.metrics), node: stage.name)
            return .done(record.output)
        }
        observer?.taskStarted(task, stage: stage.name, reasons: reasons)
        let started = Date()
        do {
            let record = if let executor = options.executor {
                try await executeElsewhere(executor, stage: stage, item: item, inputs: inputs, signature: signature,
                                          key: key, earlierKeys: earlierKeys)
            } else {
                try await execute(stage, item: item, implementation: implementation, inputs: inputs,
                                  signature: signature, started: started)
            }
            await recordHistory(task: task, stage: stage, key: key, status: .ran, reasons: reasons, record: record,
                                context: context)
            await report(TaskReport(stage: stage.name, task: task, status: .ran, reasons: reasons,
                                    seconds: record.seconds, key: key, output: record.output, metrics: record.metrics),
                         node: stage.name)
            return .done(record.output)
        } catch {
            let seconds = Date().timeIntervalSince(started)
            await recordHistory(task: task, stage: stage, key: key, status: .failed, reasons: reasons, record: nil,
                                seconds: seconds, context: context)
            await report(failure(stage, task: task, error, reasons: reasons, seconds: seconds, key: key), node: stage.name)
            return .failed
        }
    }

    /// Executes a task in a scratch directory, checks it left its inputs as
    /// they were, moves its output into the object store, then writes its run
    /// record: the record appears only once everything it names is safely stored. The key's state directory (what
    /// an interrupted attempt saved to resume from) is removed after that.
    func execute(_ stage: StageSpec, item: TaskItem, implementation: any StageImplementation, inputs: [InputArtifact],
                 signature: TaskSignature, started: Date) async throws -> RunRecord {
        let task = item.taskName(stage: stage.name)
        let key = signature.key
        let scratch = try cache.makeScratchDirectory(label: key.short)
        defer { cache.removeScratch(scratch) }
        let output = URL(fileURLWithPath: scratch).appendingPathComponent("out")
        let temporary = URL(fileURLWithPath: scratch).appendingPathComponent("scratch")
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: temporary, withIntermediateDirectories: true)
        let state = cache.stateDirectory(for: key)
        let observer = self.observer
        let context = TaskContext(
            pipeline: spec.name, stage: stage, item: item, inputs: inputs, specDirectory: spec.baseDirectory,
            outputDirectory: output, scratchDirectory: temporary, stateDirectory: URL(fileURLWithPath: state),
            threads: max(1, options.jobs),
            progress: { fraction, message in observer?.taskProgress(task, fraction: fraction, message: message) })
        try bringInputsLocal(inputs, stage: stage)
        let snapshot = try snapshotInputs(inputs, stage: stage)
        let outcome: TaskOutcome
        do {
            outcome = try await implementation.run(context)
        } catch {
            try checkInputsUnchanged(snapshot, stage: stage, log: (error as? StageError)?.log ?? "")
            throw error
        }
        try checkInputsUnchanged(snapshot, stage: stage, log: outcome.log)
        let manifest = try cache.ingestOutput(at: output.path, allowedRoots: [scratch, options.outputsRoot, cache.root])
        let record = RunRecord(
            key: key, signature: signature, output: manifest.digest, pipeline: spec.name, stage: stage.name,
            task: task, started: started, seconds: Date().timeIntervalSince(started), metrics: outcome.metrics,
            host: ProcessInfo.processInfo.hostName, pipeVersion: options.pipeVersion, log: outcome.log)
        try cache.records.write(record)
        cache.removeState(for: key)
        return record
    }
}
