import Foundation
import PipeSpec

/// What one job runs: one task, or several small ones one after another,
/// each with its own outcome and retries. Written as JSON next to the job's
/// script; `pipe task exec FILE` reads it on the node.
public struct TaskBundle: Sendable, Codable {
    /// The spec and `--set` overrides, so the worker resolves the same stages.
    public var specFile: String
    public var overrides: [String]
    public var cacheRoot: String
    public var outputsRoot: String
    public var tasks: [TaskInvocation]

    public init(specFile: String, overrides: [String], cacheRoot: String, outputsRoot: String, tasks: [TaskInvocation]) {
        self.specFile = specFile
        self.overrides = overrides
        self.cacheRoot = cacheRoot
        self.outputsRoot = outputsRoot
        self.tasks = tasks
    }

    /// The threads a task may use: the CPUs its job got.
    public var threads: Int {
        if let allotted = ProcessInfo.processInfo.environment["SLURM_CPUS_PER_TASK"].flatMap(Int.init), allotted > 0 {
            return allotted
        }
        return tasks.compactMap(\.resources.cpus).max() ?? 1
    }
}

/// Packs ready tasks into jobs by estimated runtime. Chosen over job arrays:
/// an array needs identical resources and one script for every element,
/// while ready tasks differ (a tile task beside a validate task), and an
/// array still gives each element its own scheduling, log and start-up.
/// A bundle is one job for many small tasks; big tasks go alone.
public enum TaskBundler {
    /// Groups of indices into `tasks`, in arrival order: a task expected to
    /// take `targetSeconds` or more alone; smaller ones together (same
    /// partition, account, qos, GPUs and extra arguments) until their
    /// estimates reach `targetSeconds` or `maxTasks` are in.
    public static func pack(_ tasks: [TaskInvocation], targetSeconds: Double, maxTasks: Int) -> [[Int]] {
        var bundles: [[Int]] = []
        var open: [Placement: (bundle: Int, seconds: Double)] = [:]
        for (index, task) in tasks.enumerated() {
            let seconds = max(0, task.estimatedSeconds)
            guard seconds < targetSeconds, maxTasks > 1 else {
                bundles.append([index])
                continue
            }
            let placement = Placement(task.resources)
            if let current = open[placement], current.seconds + seconds <= targetSeconds,
               bundles[current.bundle].count < maxTasks {
                bundles[current.bundle].append(index)
                open[placement] = (current.bundle, current.seconds + seconds)
            } else {
                bundles.append([index])
                open[placement] = (bundles.count - 1, seconds)
            }
        }
        return bundles
    }

    /// What a bundle asks for: the most any of its tasks asks for, and time
    /// for all of them: at least the longest task's limit, and three times
    /// their summed estimates.
    public static func resources(of tasks: [TaskInvocation]) -> StageResources {
        var combined = tasks[0].resources
        guard tasks.count > 1 else { return combined }
        combined.cpus = tasks.compactMap(\.resources.cpus).max()
        combined.memMB = tasks.compactMap(\.resources.memMB).max()
        // Estimates come from earlier runs' records on disk: bounded before they become an Int.
        let minutes = 3 * tasks.map(\.estimatedSeconds).reduce(0, +) / 60
        let estimated = minutes.isFinite ? Int(min(max(minutes, 0), 1_000_000).rounded(.up)) : 1_000_000
        combined.minutes = max(tasks.compactMap(\.resources.minutes).max() ?? 0, estimated)
        combined.maxMinutes = nil
        combined.maxMemMB = nil
        return combined
    }

    /// Tasks that may share a job: the same place in the cluster.
    private struct Placement: Hashable {
        var partition, account, qos, gres: String?
        var gpus: Int?
        var extra: [String]?

        init(_ resources: StageResources) {
            partition = resources.partition
            account = resources.account
            qos = resources.qos
            gres = resources.gres
            gpus = resources.gpus
            extra = resources.extra
        }
    }
}
