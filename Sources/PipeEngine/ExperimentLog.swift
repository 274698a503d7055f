import Foundation
import PipeCache
import PipeCore

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
        /// Image Dice of the fold ensemble on held-out images no fold saw (`holdout_dice_image`), at the CV threshold.
        public var holdout: Double?
        /// Other metrics of the version's last stage that reported any.
        public var metrics: [String: Double]
        public var lb: Double?
        public var description: String?
        public var note: String?
        public var started: Date
    }

    public var rows: [Row]

    /// Builds the table from the cache's history, oldest version first.
    public init(database: CacheDatabase) throws {
        let runs = try database.runs(limit: 100_000).reversed()
        let notes = try database.records()
        var firstComplete: [String: RunHistoryEntry] = [:], latest: [String: RunHistoryEntry] = [:]
        var order: [String] = []
        for run in runs {
            if latest[run.pipeline] == nil { order.append(run.pipeline) }
            latest[run.pipeline] = run
            if firstComplete[run.pipeline] == nil, run.status == "ok" { firstComplete[run.pipeline] = run }
        }
        rows = try order.map { version in
            let run = latest[version]!, work = firstComplete[version] ?? run
            let workTasks = try database.tasks(ofRun: work.id), latestTasks = try database.tasks(ofRun: run.id)
            let parentResolved = run.parent.flatMap { latest[$0]?.resolved }
            let metrics = Self.metrics(of: latestTasks)
            return Row(
                version: version, parent: run.parent,
                changes: parentResolved.map { Self.changes(from: $0, to: run.resolved) } ?? [],
                model: Self.model(in: run.resolved),
                seconds: work.finished.map { $0.timeIntervalSince(work.started) } ?? 0,
                savedSeconds: workTasks.filter { $0.status == "cached" }.reduce(0) { $0 + ($1.seconds ?? 0) },
                cvTile: metrics["cv_dice_tile"], cvImage: metrics["cv_dice_image"] ?? metrics["cv_dice"],
                holdout: metrics["holdout_dice_image"],
                metrics: metrics.filter { !Self.scoreKeys.contains($0.key) },
                lb: notes[version]?.lb, description: run.description, note: notes[version]?.note, started: work.started)
        }
    }

    /// The metrics that have their own columns.
    static let scoreKeys: Set = ["cv_dice_tile", "cv_dice_image", "cv_dice", "holdout_dice_image"]

    /// Dotted differences between two resolved specs, stage-relative (`train.lr 0.001 -> 0.0005`).
    static func changes(from parent: JSONValue, to child: JSONValue) -> [String] {
        var result: [String] = []
        for section in ["params", "data", "stages"] {
            let old = (parent[section] ?? .object([:])).flattened(), new = (child[section] ?? .object([:])).flattened()
            for path in Set(old.keys).union(new.keys).sorted() where old[path] != new[path] {
                if path.hasSuffix(".description") { continue }
                let name = section == "stages" ? path : "\(section).\(path)"
                result.append("\(name) \(old[path]?.display ?? "(unset)") -> \(new[path]?.display ?? "(unset)")")
            }
        }
        return result
    }

    static func model(in resolved: JSONValue) -> String? {
        guard let stages = resolved["stages"]?.objectValue else { return nil }
        for name in stages.keys.sorted() {
            guard let stage = stages[name], stage["kind"]?.stringValue == "train", let model = stage["model"] else { continue }
            return [model["arch"]?.stringValue, model["encoder"]?.stringValue].compactMap { $0 }.joined(separator: "/")
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
