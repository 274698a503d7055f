import Foundation
import PipeCore
import PipeSpec

/// One artifact a task reads: where it is and what it is.
public struct InputArtifact: Sendable {
    /// The name the stage used for it: a stage (`prep`), `data.NAME`, or a path as written.
    public var name: String
    /// Where to read it (a directory for stage outputs and directory sources, else a file).
    public var path: URL
    public var digest: Digest
    /// For a path input: its path relative to the spec, where it also appears in a command's work directory.
    public var relativePath: String?
    /// For a directory: the digest of every file in it, so a stage that fans
    /// out per file can key each task on just the files it reads.
    public var manifest: TreeManifest?

    public init(name: String, path: URL, digest: Digest, relativePath: String? = nil, manifest: TreeManifest? = nil) {
        self.name = name
        self.path = path
        self.digest = digest
        self.relativePath = relativePath
        self.manifest = manifest
    }

    /// The digest of the file at `relative` inside a directory input, if present.
    public func digest(of relative: String) -> Digest? {
        manifest?.entries.first { $0.path == relative }?.digest
    }
}

/// One task of a stage: the single task, or one item of a fan-out.
public struct TaskItem: Sendable, Hashable {
    /// The fan-out index (`0`, `img1`); nil for a stage that does not fan out.
    public var index: String?
    /// The item's value (a `foreach` entry, a fold number), available to the task.
    public var value: JSONValue

    public init(index: String?, value: JSONValue = .null) {
        self.index = index
        self.value = value
    }

    public static let single = TaskItem(index: nil)

    /// `stage` or `stage[index]`.
    public func taskName(stage: String) -> String { index.map { "\(stage)[\($0)]" } ?? stage }
}

/// Reports a task's progress: fraction done (0...1) and a short message.
public typealias ProgressHandler = @Sendable (_ fraction: Double?, _ message: String) -> Void

/// Everything a task gets. Stages read inputs and write into
/// `outputDirectory`; they never see the cache.
public struct TaskContext: Sendable {
    public var pipeline: String
    public var stage: StageSpec
    public var item: TaskItem
    public var inputs: [InputArtifact]
    /// The spec's directory (paths in the spec are relative to it).
    public var specDirectory: URL
    /// An empty directory: everything in it when the task returns is its output.
    public var outputDirectory: URL
    /// A private scratch directory, removed afterwards.
    public var scratchDirectory: URL
    /// A directory private to this task's key that survives a failed or
    /// killed attempt (the next attempt with the same key sees what it left)
    /// and is removed once the task's output is committed. For resumable
    /// work such as training checkpoints; it may not exist yet (create it
    /// when saving), and whatever is saved must be written atomically.
    public var stateDirectory: URL
    /// Threads the task may use (resource setting, not part of the key).
    public var threads: Int
    public var progress: ProgressHandler

    public init(pipeline: String, stage: StageSpec, item: TaskItem, inputs: [InputArtifact], specDirectory: URL,
                outputDirectory: URL, scratchDirectory: URL, stateDirectory: URL? = nil, threads: Int,
                progress: @escaping ProgressHandler) {
        self.pipeline = pipeline
        self.stage = stage
        self.item = item
        self.inputs = inputs
        self.specDirectory = specDirectory
        self.outputDirectory = outputDirectory
        self.scratchDirectory = scratchDirectory
        self.stateDirectory = stateDirectory ?? scratchDirectory.appendingPathComponent("state")
        self.threads = threads
        self.progress = progress
    }

    public var taskName: String { item.taskName(stage: stage.name) }

    /// The input named `name`, if the stage declared it.
    public func input(_ name: String) -> InputArtifact? { inputs.first { $0.name == name } }
}

/// What a finished task reports besides its output files.
public struct TaskOutcome: Sendable {
    /// Numbers for the stage table, `pipe diff` and `pipe log`: an object.
    public var metrics: JSONValue
    /// The tail of what the task printed.
    public var log: String

    public init(metrics: JSONValue = .object([:]), log: String = "") {
        self.metrics = metrics
        self.log = log
    }
}

/// A failure inside a stage, phrased for the user, located in the spec when possible.
public struct StageError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var location: SourceLocation?
    /// What the task printed before failing (last lines).
    public var log: String

    public init(_ message: String, at location: SourceLocation? = nil, log: String = "") {
        self.message = message
        self.location = location
        self.log = log
    }

    public var description: String { location.map { "\($0): \(message)" } ?? message }
}

/// A stage kind: its schema, its algorithm version (bump it whenever its
/// output for the same inputs would change), how it fans out, and how it runs.
public protocol StageImplementation: Sendable {
    var schema: StageKindSchema { get }
    var version: Int { get }

    /// The tasks of `stage`. `inputs` is nil while upstream outputs are not
    /// known yet (planning); return nil then if the fan-out depends on them.
    func tasks(of stage: StageSpec, inputs: [InputArtifact]?) throws -> [TaskItem]?

    /// Config fields that never enter this kind's keys (`description` never
    /// enters any): fields naming inputs whose content enters instead, and
    /// fields choosing which tasks exist (`only_folds`) rather than what one
    /// task computes. Default: none.
    var unkeyedFields: Set<String> { get }

    /// Files inside its inputs (paths in their manifests) that `tasks(of:inputs:)`
    /// reads besides the manifests, such as a table naming the items: when
    /// an input's bytes are still on a remote cache, only these are fetched
    /// to list the tasks. Default: none.
    var filesReadToList: Set<String> { get }

    /// Whether each task's key carries its fan-out item's value as param
    /// `item` (a `foreach` entry the command reads). Default: false.
    var itemEntersKey: Bool { get }

    /// The input digests that go into one task's key (default: all inputs).
    func keyInputs(of stage: StageSpec, item: TaskItem, inputs: [InputArtifact]) throws -> [String: Digest]

    func run(_ context: TaskContext) async throws -> TaskOutcome

    /// The metrics this kind's tasks report that the stage table, `pipe
    /// diff`, `pipe log` and the report should understand. Default: none.
    var declaredMetrics: [MetricDeclaration] { get }

    /// The output files the report reads from this kind's tasks. Default: none.
    var declaredArtifacts: [ArtifactDeclaration] { get }

    /// The model a stage of this kind trains, in a few words (`unet/resnet18`),
    /// for the experiment table. Default: nil (the kind trains none).
    func modelSummary(of config: JSONValue) -> String?

    /// Whether this kind's tasks run neural networks (OpenBLAS), so the
    /// process that runs them needs the CPU's best BLAS kernels. Default: false.
    var runsModels: Bool { get }
}

extension StageImplementation {
    public var kind: String { schema.name }

    public func tasks(of stage: StageSpec, inputs: [InputArtifact]?) throws -> [TaskItem]? { [.single] }

    public var unkeyedFields: Set<String> { [] }

    public var filesReadToList: Set<String> { [] }

    public var declaredMetrics: [MetricDeclaration] { [] }

    public var declaredArtifacts: [ArtifactDeclaration] { [] }

    public func modelSummary(of config: JSONValue) -> String? { nil }

    public var itemEntersKey: Bool { false }

    public var runsModels: Bool { false }

    /// The one key rule: the values of `stage` that enter the key of its task
    /// `item`. The engine keys every task with it (`pipe run`, `pipe plan`),
    /// and `pipe diff` decides which stages a change impacts through it, so
    /// they agree on whether a change of a value reruns a stage.
    public func keyParams(of stage: StageSpec, item: TaskItem) -> JSONValue {
        guard case .object(var config) = stage.config else { return stage.config }
        config["description"] = nil
        for field in unkeyedFields { config[field] = nil }
        if itemEntersKey, item.index != nil { config["item"] = item.value }
        return .object(config)
    }

    /// The tasks of `stage` as far as its config alone decides them: nil
    /// when the fan-out depends on what the inputs hold (tiles per image),
    /// or when the config is invalid (the spec loader reports that).
    public func staticTasks(of stage: StageSpec) -> [TaskItem]? {
        (try? tasks(of: stage, inputs: nil)) ?? nil
    }

    public func keyInputs(of stage: StageSpec, item: TaskItem, inputs: [InputArtifact]) throws -> [String: Digest] {
        Dictionary(inputs.map { ($0.name, $0.digest) }, uniquingKeysWith: { a, _ in a })
    }
}
