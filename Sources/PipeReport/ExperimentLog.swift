import Foundation
import PipeCache
import PipeCore
import PipeEngine
import PipeSpec
import PipeStages

/// The experiment table (`pipe log`): one row per pipeline version that has
/// run, in the columns Kaggle teams keep by hand, computed from the run
/// history instead of typed.
public struct ExperimentLog: Sendable {
    public struct Row: Sendable {
        public var version: String
        public var parent: String?
        /// What differs from the parent's resolved spec, e.g. `train.batch 16 -> 64`.
        public var changes: [String]
        /// `arch/encoder` of the first train stage, if any.
        public var model: String?
        /// Wall time of the run that did the version's work.
        public var seconds: Double
        /// Compute that run took from the cache instead of redoing.
        public var savedSeconds: Double
        public var cvTile: Double?
        public var cvImage: Double?
        /// The seed noise of `cvImage`: its sample SD over this version's runs
        /// at other training seeds (the versions `NAME_seedN` that `pipe ablate --seeds` runs) and its own; nil without any.
        public var cvImageNoise: Double? = nil
        /// How many runs `cvImageNoise` comes from.
        public var noiseRuns = 0
        /// Image Dice of the fold ensemble on held-out images no fold saw, at the CV threshold (the `.holdout` column).
        public var holdout: Double?
        /// Other metrics of the version's last stage that reported any.
        public var metrics: [String: Double]
        public var lb: Double?
        public var description: String?
        public var note: String?
        public var started: Date
    }

    public var rows: [Row]

    /// Builds the table from the cache's history, oldest version first. The
    /// score columns and the model come from what `kinds` declare.
    public init(database: CacheDatabase, kinds: StageRegistry) throws {
        let runs = try database.runs(limit: 100_000).reversed()
        let notes = try database.records()
        var firstComplete: [String: RunHistoryEntry] = [:], latest: [String: RunHistoryEntry] = [:]
        var order: [String] = []
        for run in runs {
            if latest[run.pipeline] == nil { order.append(run.pipeline) }
            latest[run.pipeline] = run
            if firstComplete[run.pipeline] == nil, RunOutcome(rawValue: run.status) == .ok { firstComplete[run.pipeline] = run }
        }
        rows = try order.map { version in
            let run = latest[version]!, work = firstComplete[version] ?? run
            let workTasks = try database.tasks(ofRun: work.id), latestTasks = try database.tasks(ofRun: run.id)
            let parentResolved = run.parent.flatMap { latest[$0]?.resolved } ?? Self.parentAsWritten(of: run, kinds: kinds)
            let metrics = Self.metrics(of: latestTasks)
            let scores = Self.scores(of: latestTasks, kinds: kinds)
            return Row(
                version: version, parent: run.parent,
                changes: parentResolved.map { ValueChange.between($0, run.resolved).map(\.text) } ?? [],
                model: Self.model(in: run.resolved, kinds: kinds),
                seconds: work.finished.map { $0.timeIntervalSince(work.started) } ?? 0,
                savedSeconds: workTasks.filter { TaskStatus(history: $0) == .cached }.reduce(0) { $0 + ($1.seconds ?? 0) },
                cvTile: scores[.cvTile]?.value, cvImage: scores[.cvImage]?.value, holdout: scores[.holdout]?.value,
                metrics: metrics.filter { name, _ in !scores.values.contains { $0.name == name } },
                lb: notes[version]?.lb, description: run.description, note: notes[version]?.note, started: work.started)
        }
        rows = Self.withSeedNoise(rows)
    }

    /// Each row with the spread of its CV over the rows that are its seed runs.
    static func withSeedNoise(_ rows: [Row]) -> [Row] {
        rows.map { row in
            var row = row
            let values = rows.filter { $0.version == row.version || isSeedRun($0.version, of: row.version) }.compactMap(\.cvImage)
            row.cvImageNoise = VersionScore.standardDeviation(values)
            row.noiseRuns = row.cvImageNoise == nil ? 0 : values.count
            return row
        }
    }

    /// Whether `name` is `version` rerun at another seed (`v10_seed2022`, as `Ablation.Version.seeded` names it).
    static func isSeedRun(_ name: String, of version: String) -> Bool {
        name.hasPrefix(version + "_seed") && Int(name.dropFirst(version.count + 5)) != nil
    }

    /// The resolved spec of the parent of `run` as its file defines it now,
    /// for a parent that never ran itself (v54 run straight after v43, its
    /// parent v19 never): found through the `extends` of the run's spec file.
    /// Nil when either file no longer loads.
    static func parentAsWritten(of run: RunHistoryEntry, kinds: StageRegistry) -> JSONValue? {
        let loader = SpecLoader(registry: kinds.kinds)
        guard let spec = try? loader.load(file: URL(fileURLWithPath: run.specFile)),
              let parent = spec.ancestors.first, parent.name == run.parent else { return nil }
        return (try? loader.load(file: parent.file))?.resolved
    }

    /// The score columns' values: the metrics the kinds declare with a
    /// column, from any task (a command stage standing in for validate
    /// reports them too), later tasks overriding earlier ones.
    static func scores(of tasks: [TaskHistoryEntry],
                       kinds: StageRegistry) -> [MetricDeclaration.Column: (name: String, value: Double)] {
        let columns = kinds.declaredMetrics.filter { $0.column != nil }
        var result: [MetricDeclaration.Column: (name: String, value: Double)] = [:]
        for task in tasks where !task.task.contains("[") {
            var filled = Set<MetricDeclaration.Column>()
            for metric in columns {
                guard let column = metric.column, !filled.contains(column),
                      let value = task.metrics[metric.name]?.doubleValue else { continue }
                result[column] = (metric.name, value)
                filled.insert(column)
            }
        }
        return result
    }

    /// The model of the first stage (by name) whose kind names one (`arch/encoder` for train).
    static func model(in resolved: JSONValue, kinds: StageRegistry) -> String? {
        guard let stages = resolved["stages"]?.objectValue else { return nil }
        for name in stages.keys.sorted() {
            guard let stage = stages[name], let kind = stage["kind"]?.stringValue.flatMap({ kinds.stages[$0] }),
                  let model = kind.modelSummary(of: stage) else { continue }
            return model
        }
        return nil
    }

    /// The metrics of the tasks of a run, later tasks overriding earlier ones.
    static func metrics(of tasks: [TaskHistoryEntry]) -> [String: Double] {
        var result: [String: Double] = [:]
        for task in tasks where !(task.task.contains("[")) {
            for (name, value) in task.metrics.objectValue ?? [:] {
                if let number = value.doubleValue { result[name] = number }
            }
        }
        return result
    }
}
