import Foundation
import PipeCache
import PipeCore
import PipeEngine
import PipeStages

/// What an ablation will cost before anything runs (`pipe ablate --plan`):
/// per run, the tasks `pipe plan` would run, and the time they took when
/// tasks of the same name last ran on this cache.
public struct AblationBudget: Sendable {
    public struct Line: Sendable {
        public var version: String
        /// Tasks to run that no earlier line already counts (same key).
        public var tasks: Int
        /// Estimated seconds of those with an earlier run to go by.
        public var seconds: Double
        /// Tasks with no earlier run of their name: not in `seconds`.
        public var unestimated: Int
    }

    public var lines: [Line]
    public var tasks: Int { lines.reduce(0) { $0 + $1.tasks } }
    public var seconds: Double { lines.reduce(0) { $0 + $1.seconds } }
    public var unestimated: Int { lines.reduce(0) { $0 + $1.unestimated } }

    /// From each run's plan (`reports`, one per run in order) and the last
    /// measured seconds per task name. A task planned in two runs is counted
    /// once when its key is known; a task whose inputs are not computed yet
    /// has no key and counts in each run, so the count is then an upper bound.
    public init(names: [String], reports: [RunReport], history: [String: Double]) {
        var counted = Set<Digest>()
        lines = zip(names, reports).map { name, report in
            var line = Line(version: name, tasks: 0, seconds: 0, unestimated: 0)
            for task in report.tasks where task.status == .willRun {
                if let key = task.key, !counted.insert(key).inserted { continue }
                line.tasks += 1
                if let seconds = history[task.task] { line.seconds += seconds } else { line.unestimated += 1 }
            }
            return line
        }
    }

    /// Seconds of the latest run of each task name that did work, from the cache's history.
    public static func history(_ database: CacheDatabase, runs: Int = 500) throws -> [String: Double] {
        var result: [String: Double] = [:]
        for run in try database.runs(limit: runs) {
            for task in try database.tasks(ofRun: run.id) where TaskStatus(history: task) == .ran && result[task.task] == nil {
                if let seconds = task.seconds { result[task.task] = seconds }
            }
        }
        return result
    }

    /// The table `--plan` prints.
    public var text: String {
        var rows = [["run", "tasks to run", "estimated time"]]
        func time(_ line: Line) -> String {
            (line.tasks == line.unestimated && line.tasks > 0 ? "?" : Self.duration(line.seconds))
                + (line.unestimated > 0 && line.tasks > line.unestimated ? " + \(line.unestimated) never run" : "")
        }
        for line in lines { rows.append([line.version, String(line.tasks), time(line)]) }
        rows.append(["total", String(tasks), time(Line(version: "", tasks: tasks, seconds: seconds, unestimated: unestimated))])
        var text = TextTable.render(rows)
        if unestimated > 0 { text += "\n(\(unestimated) tasks never ran on this cache: no time to go by for them)" }
        return text
    }

    static func duration(_ seconds: Double) -> String {
        seconds < 60 ? String(format: "%.0fs", seconds) : String(format: "%dm %02ds", Int(seconds) / 60, Int(seconds) % 60)
    }
}
