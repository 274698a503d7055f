import Foundation
import PipeCache
import PipeCore
import PipeSpec

/// What happened (or would happen) to one task.
public enum TaskStatus: String, Sendable, Codable {
    case ran, cached, willRun = "will-run", failed, skipped
}

extension TaskStatus {
    /// The status a run-history entry recorded; an unknown word (a newer
    /// pipe's) reads as `skipped`, which claims nothing about the task.
    public init(history entry: TaskHistoryEntry) { self = TaskStatus(rawValue: entry.status) ?? .skipped }
}

/// How a whole run ended, as the run history records it.
public enum RunOutcome: String, Sendable, Codable {
    case ok, failed
}

/// One row of the stage table and of `--json` output (DESIGN §2).
public struct TaskReport: Sendable {
    public var stage: String
    public var task: String
    public var status: TaskStatus
    /// Why it runs, ran or was skipped; rendered (`reason`) only for output.
    public var reasons: [RunReason]
    public var seconds: Double?
    public var key: Digest?
    public var output: Digest?
    public var metrics: JSONValue
    public var error: String?
    public var log: String?
    /// The scheduler's job id when the task ran as a batch job (`--executor slurm`).
    public var job: String?
    /// What the task would ask a batch scheduler for (`pipe plan --executor slurm`).
    public var resources: StageResources?

    public init(stage: String, task: String, status: TaskStatus, reasons: [RunReason] = [], seconds: Double? = nil,
                key: Digest? = nil, output: Digest? = nil, metrics: JSONValue = .object([:]), error: String? = nil,
                log: String? = nil) {
        self.stage = stage
        self.task = task
        self.status = status
        self.reasons = reasons
        self.seconds = seconds
        self.key = key
        self.output = output
        self.metrics = metrics
        self.error = error
        self.log = log
    }

    /// The reasons as one phrase, relative to the stage.
    public var reason: String { RunReason.phrase(reasons, stage: stage) }

    public var json: JSONValue {
        var object: [String: JSONValue] = [
            "stage": .string(stage), "task": .string(task), "status": .string(status.rawValue),
            "reason": .string(reason), "metrics": metrics,
        ]
        if let seconds { object["seconds"] = .double((seconds * 1000).rounded() / 1000) }
        if let key { object["key"] = .string(key.hex) }
        if let output { object["output"] = .string(output.hex) }
        if let error { object["error"] = .string(error) }
        if let log { object["log"] = .string(log) }
        if let job { object["job"] = .string(job) }
        if let resources { object["resources"] = resources.json }
        return .object(object)
    }
}

/// The result of `pipe run` or `pipe plan`.
public struct RunReport: Sendable {
    public var pipeline: String
    public var tasks: [TaskReport]
    /// Stage name -> where its output was materialized.
    public var outputs: [String: String]
    public var seconds: Double
    public var runID: Int64?

    public var failed: Bool { tasks.contains { $0.status == .failed } }

    public var json: JSONValue {
        .object([
            "pipeline": .string(pipeline),
            "tasks": .array(tasks.map(\.json)),
            "outputs": .object(outputs.mapValues(JSONValue.string)),
            "seconds": .double((seconds * 1000).rounded() / 1000),
        ])
    }
}

/// Receives events while the engine works (the CLI draws progress from them).
public protocol EngineObserver: Sendable {
    func taskStarted(_ task: String, stage: String, reasons: [RunReason])
    func taskProgress(_ task: String, fraction: Double?, message: String)
    func taskFinished(_ report: TaskReport)
}
