import Foundation
import PipeCore
import PipeEngine
import PipeStages

/// Everything the report shows about one pipeline version, gathered once from
/// the spec and the cache so that every section is a pure function of it
/// (tests build snapshots from fixture directories instead of a cache).
public struct ReportSnapshot: Sendable {
    /// One node of the DAG: a data source or a stage.
    public struct Node: Sendable {
        /// `data.NAME` or the stage name.
        public var name: String
        /// `data` for a data source, else the stage kind.
        public var kind: String
        /// Node names this one reads (data sources and stages only).
        public var inputs: [String]

        public init(name: String, kind: String, inputs: [String]) {
            self.name = name
            self.kind = kind
            self.inputs = inputs
        }
    }

    /// One task of the latest run, with where its output files are.
    public struct Task: Sendable {
        public var stage: String
        public var task: String
        /// What the run did with it (as the run history says).
        public var status: TaskStatus
        public var seconds: Double?
        /// When the work was done (the run record's start); nil for a failed task.
        public var started: Date?
        public var metrics: JSONValue
        /// Output files by path relative to the task's output, -> absolute path to read.
        public var files: [String: String]

        public init(stage: String, task: String, status: TaskStatus, seconds: Double?, started: Date?,
                    metrics: JSONValue = .object([:]), files: [String: String] = [:]) {
            self.stage = stage
            self.task = task
            self.status = status
            self.seconds = seconds
            self.started = started
            self.metrics = metrics
            self.files = files
        }

        /// The output files whose relative path satisfies `predicate`, sorted by path.
        public func files(where predicate: (String) -> Bool) -> [(path: String, file: String)] {
            files.keys.filter(predicate).sorted().map { ($0, files[$0]!) }
        }
    }

    /// The run the page describes.
    public struct Run: Sendable {
        public var id: Int64
        public var started: Date
        public var finished: Date?
        public var status: String

        public init(id: Int64, started: Date, finished: Date?, status: String) {
            self.id = id
            self.started = started
            self.finished = finished
            self.status = status
        }
    }

    /// One version of the experiment table, as the versions section shows it.
    public struct Version: Sendable {
        public var name: String
        public var parent: String?
        public var changes: [String]
        public var seconds: Double
        /// CV Dice (per image, else per tile).
        public var cv: Double?
        /// Image Dice of the fold ensemble on the held-out images (`holdout_dice_image`).
        public var holdout: Double?
        public var lb: Double?
        public var description: String?
        public var note: String?

        public init(name: String, parent: String?, changes: [String], seconds: Double, cv: Double?, holdout: Double? = nil,
                    lb: Double?, description: String?, note: String?) {
            self.holdout = holdout
            self.name = name
            self.parent = parent
            self.changes = changes
            self.seconds = seconds
            self.cv = cv
            self.lb = lb
            self.description = description
            self.note = note
        }
    }

    public var pipeline: String
    public var description: String?
    public var nodes: [Node]
    /// The latest run of the pipeline, nil when it never ran.
    public var run: Run?
    /// The tasks of the latest run, in the order they settled.
    public var tasks: [Task]
    /// The latest run in which tasks did work (what the timeline draws) and its tasks.
    public var workRun: Run?
    public var workTasks: [Task]
    /// Every version in the cache's history, oldest first.
    public var versions: [Version]
    /// The output files the stage kinds declare, which the sections read.
    public var artifacts: [ArtifactDeclaration]
    /// The results (`effects.json`) of every `pipe ablate` that ran this version.
    public var ablations: [JSONValue] = []

    public init(pipeline: String, description: String? = nil, nodes: [Node], run: Run? = nil, tasks: [Task] = [],
                workRun: Run? = nil, workTasks: [Task] = [], versions: [Version] = [],
                artifacts: [ArtifactDeclaration] = StageRegistry.standard.declaredArtifacts) {
        self.artifacts = artifacts
        self.pipeline = pipeline
        self.description = description
        self.nodes = nodes
        self.run = run
        self.tasks = tasks
        self.workRun = workRun
        self.workTasks = workTasks
        self.versions = versions
    }

    /// The files of `task` that are an artifact with `role`, sorted by path.
    public func files(_ role: ArtifactDeclaration.Role, of task: Task) -> [(path: String, file: String)] {
        let declared = artifacts.filter { $0.role == role }
        return task.files { path in declared.contains { $0.matches(path) } }
    }

    /// The one file of `task` with `role` (the shallowest, if several), as an absolute path.
    public func file(_ role: ArtifactDeclaration.Role, of task: Task) -> String? {
        files(role, of: task).min { $0.path.split(separator: "/").count < $1.path.split(separator: "/").count }?.file
    }

    /// The tasks of `node` in the latest run, in fan-out order (`train[2]` before `train[10]`).
    public func tasks(of node: String) -> [Task] { Self.ordered(tasks.filter { $0.stage == node }) }

    /// Tasks sorted by name, numbers inside names compared as numbers.
    static func ordered(_ tasks: [Task]) -> [Task] {
        tasks.sorted { $0.task.compare($1.task, options: .numeric) == .orderedAscending }
    }
}
