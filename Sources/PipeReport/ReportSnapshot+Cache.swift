import Foundation
import PipeCache
import PipeCore
import PipeEngine
import PipeSpec
import PipeStages

extension ReportSnapshot {
    /// Reads what the report needs about `spec` from `cache`: the DAG from the
    /// spec, the latest run's tasks with their records and output files, the
    /// latest run that did work (for the timeline), and every version's row.
    /// Without a cache (nothing ever ran) it holds the DAG alone. `kinds`
    /// declare the versions' score columns.
    public init(spec: PipelineSpec, cache: Cache?, kinds: StageRegistry) throws {
        guard let cache else {
            self.init(pipeline: spec.name, description: spec.description, nodes: Self.nodes(of: spec),
                      artifacts: kinds.declaredArtifacts)
            return
        }
        let database = cache.database
        let runs = try database.runs(pipeline: spec.name, limit: 1000)
        var run: Run?, tasks: [Task] = [], workRun: Run?, workTasks: [Task] = []
        if let latest = runs.first {
            run = Run(latest)
            tasks = try database.tasks(ofRun: latest.id).map { Self.task($0, cache: cache) }
        }
        for entry in runs {
            let history = try database.tasks(ofRun: entry.id)
            guard history.contains(where: { [.ran, .failed].contains(TaskStatus(history: $0)) }) else { continue }
            workRun = Run(entry)
            workTasks = entry.id == run?.id ? tasks : history.map { Self.task($0, cache: cache) }
            break
        }
        let log = try ExperimentLog(database: database, kinds: kinds)
        self.init(pipeline: spec.name, description: spec.description, nodes: Self.nodes(of: spec), run: run,
                  tasks: tasks, workRun: workRun, workTasks: workTasks, versions: log.rows.map { Version($0) },
                  artifacts: kinds.declaredArtifacts)
        ablations = AblationSection.load(cacheRoot: cache.root, involving: spec.name)
    }

    /// Data sources then stages, inputs limited to nodes (path deps are files, not nodes).
    static func nodes(of spec: PipelineSpec) -> [Node] {
        let names = Set(spec.data.map(\.reference) + spec.stages.map(\.name))
        return spec.data.map { Node(name: $0.reference, kind: "data", inputs: []) }
            + spec.stages.map { stage in
                var seen = Set<String>()
                let inputs = stage.inputs.map(\.description).filter { names.contains($0) && seen.insert($0).inserted }
                return Node(name: stage.name, kind: stage.kind, inputs: inputs)
            }
    }

    static func task(_ entry: TaskHistoryEntry, cache: Cache) -> Task {
        let record = entry.key.flatMap { cache.records.read($0) }
        var files: [String: String] = [:]
        // The report reads these files: only intact ones are offered, and a
        // corrupt object is evicted with what was computed from it, as a run would.
        if let output = entry.output ?? record?.output {
            let integrity = cache.objects.checkTree(output)
            if !integrity.corrupt.isEmpty { cache.evictCorrupt(Set(integrity.corrupt)) }
            if integrity.isIntact, let manifest = cache.objects.manifest(output) {
                for file in manifest.entries { files[file.path] = cache.objects.path(of: file.digest) }
            }
        }
        return Task(stage: entry.stage, task: entry.task, status: TaskStatus(history: entry), seconds: entry.seconds ?? record?.seconds,
                    started: record?.started, metrics: entry.metrics, files: files)
    }
}

extension ReportSnapshot.Run {
    init(_ entry: RunHistoryEntry) {
        self.init(id: entry.id, started: entry.started, finished: entry.finished, status: entry.status)
    }
}

extension ReportSnapshot.Version {
    init(_ row: ExperimentLog.Row) {
        self.init(name: row.version, parent: row.parent, changes: row.changes, seconds: row.seconds,
                  cv: row.cvImage ?? row.cvTile, holdout: row.holdout, lb: row.lb, description: row.description, note: row.note)
    }
}
