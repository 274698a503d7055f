import Foundation
import PipeCore
import PipeSpec

/// Runs tasks the engine decided to run somewhere other than inside this
/// process (a batch scheduler). The engine still owns keys, locks and
/// history; an executor only gets each task to `pipe task exec` and says how
/// its job ended. The run record in the cache, written by the worker, decides
/// success (DESIGN §4); without an executor tasks run in-process.
public protocol TaskExecutor: Sendable {
    /// `slurm`: how the executor names itself in messages.
    var name: String { get }
    /// What a task of `stage` asks for: the stage's `resources`, over the
    /// spec's `settings.resources`, over the kind's defaults.
    func resources(for stage: StageSpec, settings: PipelineSettings) -> StageResources
    /// Submits the task and returns when its job ended. `submitted` is called
    /// with the job id each time it is (re)submitted. Throws `ExecutorError`
    /// for scheduler faults; a task that failed is a `.failed` end, not a throw.
    func run(_ invocation: TaskInvocation, submitted: @escaping @Sendable (String) -> Void) async throws -> TaskEnd
}

/// One task as it crosses the process boundary: what `pipe task exec` needs
/// to find it in the spec and check it is the task the planner meant.
public struct TaskInvocation: Sendable, Codable, Hashable {
    public var key: Digest
    /// `stage` or `stage[index]`.
    public var task: String
    public var stage: String
    public var kind: String
    public var index: String?
    public var inputs: [TaskInput]
    public var resources: StageResources
    /// Expected seconds, from earlier runs of the task or the kind's default; used to bundle small tasks.
    public var estimatedSeconds: Double

    public init(key: Digest, task: String, stage: String, kind: String, index: String?, inputs: [TaskInput],
                resources: StageResources, estimatedSeconds: Double) {
        self.key = key
        self.task = task
        self.stage = stage
        self.kind = kind
        self.index = index
        self.inputs = inputs
        self.resources = resources
        self.estimatedSeconds = estimatedSeconds
    }
}

/// One input artifact of an invocation, by path and digest; the worker
/// re-reads its manifest and refuses it if the digest no longer matches.
public struct TaskInput: Sendable, Codable, Hashable {
    public var name: String
    public var path: String
    public var digest: Digest
    public var relativePath: String?

    public init(name: String, path: String, digest: Digest, relativePath: String?) {
        self.name = name
        self.path = path
        self.digest = digest
        self.relativePath = relativePath
    }
}

/// How a task's job ended, once any resubmission the executor does itself is over.
public enum TaskEnd: Sendable, Equatable {
    /// The worker reports it stored the task's output and record.
    case ran(job: String)
    /// It did not: a message saying what Slurm and the worker said, and the log tail.
    case failed(job: String, message: String, log: String)
}

/// A fault of the scheduler or its tools, not of a task: `sbatch` missing or
/// refusing, a cache that workers cannot see.
public struct ExecutorError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        case schedulerUnavailable, submitRefused, notShared, interrupted
    }
    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
