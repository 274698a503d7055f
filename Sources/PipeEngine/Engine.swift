import Foundation
import PipeCache
import PipeCore
import PipeSpec
import PipeStages

/// Settings of one `pipe run` / `pipe plan`. None of them is part of any key.
public struct EngineOptions: Sendable {
    /// Tasks executing at once.
    public var jobs: Int
    /// Stages whose tasks run even when cached (`--force`).
    public var forced: Set<String>
    /// Run only this stage and what it needs (`--until`).
    public var until: String?
    /// Plan only: report what would run and why, run nothing.
    public var planOnly: Bool
    /// Where `runs/<pipeline>/<stage>/` outputs are materialized.
    public var outputsRoot: String
    public var pipeVersion: String
    /// Where tasks that run go: nil runs them in this process; a batch
    /// executor submits each to a scheduler (`--executor slurm`).
    public var executor: (any TaskExecutor)?

    public init(jobs: Int = ProcessInfo.processInfo.activeProcessorCount, forced: Set<String> = [], until: String? = nil,
                planOnly: Bool = false, outputsRoot: String, pipeVersion: String, executor: (any TaskExecutor)? = nil) {
        self.jobs = jobs
        self.forced = forced
        self.until = until
        self.planOnly = planOnly
        self.outputsRoot = outputsRoot
        self.pipeVersion = pipeVersion
        self.executor = executor
    }
}

/// Executes a pipeline: walks the stage graph, computes each task's key from
/// its params and its inputs' digests, reuses cached results, runs the rest
/// in parallel, and records everything. A task whose output digest did not
/// change leaves its consumers' keys unchanged, which stops the cascade.
public final class Engine: Sendable {
    let spec: PipelineSpec
    let cache: Cache
    let registry: StageRegistry
    let options: EngineOptions
    let observer: (any EngineObserver)?
    let hasher: PathHasher
    let semaphore: AsyncSemaphore
    let collector = ReportCollector()
    let jobLedger = JobLedger()

    public init(spec: PipelineSpec, cache: Cache, registry: StageRegistry, options: EngineOptions,
                observer: (any EngineObserver)? = nil) {
        self.spec = spec
        self.cache = cache
        self.registry = registry
        self.options = options
        self.observer = observer
        hasher = PathHasher(database: cache.database)
        semaphore = AsyncSemaphore(options.jobs)
    }

    /// Runs (or plans) the pipeline and returns one report per task.
    public func execute() async throws -> RunReport {
        let started = Date()
        let lock = try CacheLock.shared(root: cache.root)
        defer { lock.release() }
        let graph = try StageGraph(spec: spec, until: options.until)
        try checkFolderNames(graph)
        let history = options.planOnly ? nil : RunHistoryWriter(database: cache.database, start: RunHistoryStart(
            pipeline: spec.name, specFile: spec.file.path, specDigest: Digest.of(spec.resolved),
            parent: spec.ancestors.first?.name, description: spec.description, resolved: spec.resolved,
            host: ProcessInfo.processInfo.hostName, version: options.pipeVersion))
        let context = RunContext(history: history)
        var nodes: [String: Task<NodeOutcome, Never>] = [:]
        for node in graph.order {
            let upstream = graph.inputs(of: node).compactMap { name in nodes[name].map { (name, $0) } }
            nodes[node.name] = Task {
                var inputs: [String: NodeOutcome] = [:]
                for (name, task) in upstream { inputs[name] = await task.value }
                return await self.resolve(node, upstream: inputs, context: context)
            }
        }
        var outputs: [String: String] = [:]
        var ready: [String: Digest] = [:]
        for node in graph.order {
            if case .ready(let artifact) = await nodes[node.name]!.value, case .stage(let stage) = node {
                ready[stage.name] = artifact.digest
            }
        }
        if !options.planOnly {
            outputs = OutputLinks(root: "\(options.outputsRoot)/runs/\(spec.name)", cache: cache).update(ready)
        }
        let reports = await collector.reports(order: graph.order.map(\.name))
        var report = RunReport(pipeline: spec.name, tasks: reports, outputs: outputs,
                               seconds: Date().timeIntervalSince(started), runID: nil)
        report.runID = try history?.finish(status: (report.failed ? RunOutcome.failed : .ok).rawValue)
        return report
    }

    /// Settles one node: hashes a path source, or runs / reuses a stage's tasks.
    func resolve(_ node: StageGraph.Node, upstream: [String: NodeOutcome], context: RunContext) async -> NodeOutcome {
        switch node {
        case .path(let name, let url, let relative):
            do {
                let (digest, manifest) = try hasher.digest(of: url.path)
                return .ready(InputArtifact(name: name, path: url, digest: digest, relativePath: relative, manifest: manifest))
            } catch {
                await report(TaskReport(stage: name, task: name, status: .failed, error: "\(error)"), node: name)
                return .failed
            }
        case .generator(let source, let kind, _):
            guard let stage = source.generatorStage, let implementation = registry.generators[kind] else { return .failed }
            return await resolveStage(stage, implementation: implementation, inputs: [], upstream: upstream, context: context)
        case .stage(let stage):
            guard let implementation = registry.stages[stage.kind] else {
                await report(TaskReport(stage: stage.name, task: stage.name, status: .failed,
                                        error: "no implementation for kind '\(stage.kind)'"), node: stage.name)
                return .failed
            }
            let names = stage.inputs.map(StageGraph.nodeName(of:))
            return await resolveStage(stage, implementation: implementation, inputs: names, upstream: upstream, context: context)
        }
    }
}

/// Where a node stands once resolved.
enum NodeOutcome: Sendable {
    /// Its output is known: consumers can compute their keys.
    case ready(InputArtifact)
    /// It will run (planning) so its output is not known yet.
    case pending
    /// It or something it needs failed.
    case failed
}

/// Per-run state shared by the node tasks.
struct RunContext: Sendable {
    /// Where task outcomes are recorded; nil when planning.
    var history: RunHistoryWriter?
}

/// Collects task reports from concurrent node tasks, returned in graph order.
actor ReportCollector {
    private var byNode: [String: [TaskReport]] = [:]

    func add(_ reports: [TaskReport], node: String) { byNode[node, default: []].append(contentsOf: reports) }

    func reports(order: [String]) -> [TaskReport] {
        order.flatMap { name in
            (byNode[name] ?? []).map { (TaskOrder(name: $0.task), $0) }.sorted { $0.0 < $1.0 }.map(\.1)
        }
    }
}
