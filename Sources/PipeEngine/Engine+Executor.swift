import Foundation
import PipeCache
import PipeCore
import PipeSpec
import PipeStages

extension Engine {
    /// Runs a task through `options.executor` (a batch scheduler) instead of
    /// in this process, and returns the record its worker stored. Success is
    /// the record, never the scheduler's word: a job that ended without one failed.
    func executeElsewhere(_ executor: any TaskExecutor, stage: StageSpec, item: TaskItem, inputs: [InputArtifact],
                          signature: TaskSignature, key: Digest, earlierKeys: PreviousKeys) async throws -> RunRecord {
        let task = item.taskName(stage: stage.name)
        let invocation = TaskInvocation(
            key: key, task: task, stage: stage.name, kind: stage.kind, index: item.index,
            inputs: inputs.map { TaskInput(name: $0.name, path: $0.path.path, digest: $0.digest, relativePath: $0.relativePath) },
            resources: executor.resources(for: stage, settings: spec.settings),
            // How long the task took when it last ran here or in an ancestor, through the stage's
            // shared key lookups (one query for a large fan-out, not one per submission).
            estimatedSeconds: earlierKeys.first(of: task) { cache.records.read($0) }?.seconds
                ?? ResourceDefaults.seconds(kind: stage.kind))
        let observer = self.observer, jobs = jobLedger, name = executor.name
        let end = try await executor.run(invocation) { job in
            jobs.set(job, for: task)
            observer?.taskProgress(task, fraction: nil, message: "submitted as \(name) job \(job)")
        }
        switch end {
        case .ran(let job):
            guard case .hit(let record) = cache.lookup(key, signature: signature) else {
                throw StageError("\(name) job \(job) reported \(task) done but its result is not in the cache at "
                                 + "\(cache.root); the workers must see the same cache on a shared filesystem")
            }
            return record
        case .failed(_, let message, let log):
            // The record decides: a worker stopped just after storing it still ran the task.
            if case .hit(let record) = cache.lookup(key, signature: signature) { return record }
            throw StageError(message, log: log)
        }
    }

    /// A report with what the executor adds: the job id beside a task that
    /// ran as a job, and the resources a task would ask for in a plan.
    func withExecutorDetails(_ report: TaskReport, node: String) -> TaskReport {
        guard let executor = options.executor else { return report }
        var report = report
        report.job = jobLedger.job(for: report.task)
        if report.status == .willRun, let stage = spec.stage(node) ?? spec.data.lazy.compactMap(\.generatorStage).first(where: { $0.name == node }) {
            report.resources = executor.resources(for: stage, settings: spec.settings)
        }
        return report
    }
}

/// Task name -> the id of the job that ran it last, for reports.
final class JobLedger: @unchecked Sendable {
    private let lock = NSLock()
    private var jobs: [String: String] = [:]

    func set(_ job: String, for task: String) { lock.withLock { jobs[task] = job } }
    func job(for task: String) -> String? { lock.withLock { jobs[task] } }
}
