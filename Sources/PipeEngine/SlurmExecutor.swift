import Foundation
import PipeSpec

/// Where and how the Slurm executor submits: everything a worker needs to
/// find the same spec, cache and outputs on its node, and the driver's bounds.
public struct SlurmSettings: Sendable {
    /// The `pipe` binary the jobs run (absolute, on the shared filesystem).
    public var pipeBinary: String
    public var specFile: String
    public var overrides: [String]
    public var cacheRoot: String
    public var outputsRoot: String
    /// The planner's working directory, the jobs' `--chdir`.
    public var workingDirectory: String
    /// Seconds between polls: the first tick waits the lower bound (so tasks
    /// that become ready together share a bundle); quiet ticks back off to the upper.
    public var pollInterval: ClosedRange<Double>
    /// Small tasks share a job until their estimates add up to this many seconds.
    public var bundleSeconds: Double
    public var bundleMaxTasks: Int
    /// How many times a task whose job was lost (node failure, preemption,
    /// vanished) is resubmitted, without counting as a failure of the task.
    public var lossRetries: Int

    public init(pipeBinary: String, specFile: String, overrides: [String], cacheRoot: String, outputsRoot: String,
                workingDirectory: String, pollInterval: ClosedRange<Double> = 0.5...10, bundleSeconds: Double = 600,
                bundleMaxTasks: Int = 50, lossRetries: Int = 3) {
        self.pipeBinary = pipeBinary
        self.specFile = specFile
        self.overrides = overrides
        self.cacheRoot = cacheRoot
        self.outputsRoot = outputsRoot
        self.workingDirectory = workingDirectory
        self.pollInterval = pollInterval
        self.bundleSeconds = bundleSeconds
        self.bundleMaxTasks = bundleMaxTasks
        self.lossRetries = lossRetries
    }
}

/// `--executor slurm`: each ready task, or a bundle of small ones, becomes
/// one `sbatch --parsable` job running `pipe task exec`; one `squeue` per
/// tick watches the whole run and one scan of the outcomes directory finds
/// every task that finished.
public final class SlurmExecutor: TaskExecutor {
    public let name = "slurm"
    let driver: BatchDriver

    public init(settings: SlurmSettings, backend: any JobBackend = SlurmBackend()) {
        driver = BatchDriver(settings: settings, backend: backend)
    }

    public func resources(for stage: StageSpec, settings: PipelineSettings) -> StageResources {
        ResourceDefaults.resolve(stage, settings: settings)
    }

    public func run(_ invocation: TaskInvocation, submitted: @escaping @Sendable (String) -> Void) async throws -> TaskEnd {
        try await driver.run(invocation, submitted: submitted)
    }

    /// Ctrl-C / SIGTERM: submit nothing more, cancel every job in flight with
    /// one `scancel`, and wait (up to `timeout` seconds) until none of them is
    /// left in the queue. Returns the cancelled job ids. Callable from any thread.
    public func cancelAll(timeout: Double = 60) -> [String] { driver.cancelAll(timeout: timeout) }
}
