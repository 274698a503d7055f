import Foundation
import PipeCore
import PipeEngine
import PipeReport

/// The table printed after `run` and `plan`: one row per task.
struct StageTable {
    let report: RunReport
    let planning: Bool

    func print() {
        var rows: [[String]] = [["stage", "task", planning ? "plan" : "status", "time", "metric", planning ? "why" : "reason"]]
        for task in report.tasks {
            rows.append([task.stage, task.task, task.status.rawValue, task.seconds.map(Self.duration) ?? "",
                         Self.keyMetric(task.metrics), task.reason])
        }
        Swift.print(Self.render(rows))
        for task in report.tasks where task.status == .failed {
            Swift.print("\n\(task.task) failed: \(task.error ?? "unknown error")")
            if let log = task.log, !log.isEmpty {
                Swift.print(log.split(separator: "\n", omittingEmptySubsequences: false).map { "  | \($0)" }.joined(separator: "\n"))
            }
        }
        let counts = Dictionary(grouping: report.tasks, by: \.status).mapValues(\.count)
        let summary = [TaskStatus.ran, .cached, .willRun, .failed, .skipped].compactMap { status in
            counts[status].map { "\($0) \(status.rawValue)" }
        }.joined(separator: ", ")
        Swift.print("\n\(report.pipeline): \(summary) in \(Self.duration(report.seconds))")
        for stage in report.outputs.keys.sorted() where !stage.hasPrefix("data.") {
            if let path = report.outputs[stage] { Swift.print("  \(stage) -> \(Self.relativeToCwd(path))") }
        }
        for line in headlines() { Swift.print(line) }
    }

    /// What a user runs the main job for: the CV Dice of validate stages and
    /// where each submission.csv is.
    func headlines() -> [String] {
        var lines: [String] = []
        for task in report.tasks {
            guard let image = task.metrics["cv_dice_image"]?.doubleValue else { continue }
            var parts = [String(format: "image %.4f", image)]
            if let spread = task.metrics["cv_dice_image_std"]?.doubleValue { parts[0] += String(format: " ± %.4f", spread) }
            if let tile = task.metrics["cv_dice_tile"]?.doubleValue { parts.append(String(format: "tile %.4f", tile)) }
            if let threshold = task.metrics["threshold"]?.doubleValue {
                let edge = task.metrics["threshold_on_edge"]?.doubleValue == 1 ? " (on the sweep's edge: widen 'thresholds')" : ""
                parts.append(String(format: "at threshold %.2f", threshold) + edge)
            }
            var line = "\nCV Dice (\(task.task)): " + parts.joined(separator: ", ")
            if let holdout = task.metrics["holdout_dice_image"]?.doubleValue {
                line += String(format: "\nHoldout Dice (fold ensemble, same threshold): image %.4f", holdout)
            }
            lines.append(line)
        }
        for stage in report.outputs.keys.sorted() {
            guard let path = report.outputs[stage] else { continue }
            let submission = "\(path)/submission.csv"
            if FileManager.default.fileExists(atPath: submission) { lines.append("Submission: \(Self.relativeToCwd(submission))") }
        }
        return lines
    }

    /// The most telling metric of a task: a dice score if it has one, else the first of a few telling names, else the first.
    static func keyMetric(_ metrics: JSONValue) -> String {
        guard let members = metrics.objectValue, !members.isEmpty else { return "" }
        let names = members.keys.sorted()
        let name = ["dice", "tiles", "loss", "mean_probability", "threshold"].lazy.compactMap { word in names.first { $0.lowercased().contains(word) } }.first
            ?? names[0]
        guard let value = members[name]?.doubleValue else { return "" }
        if case .int(let integer) = members[name] { return "\(name)=\(integer)" }
        return "\(name)=\(String(format: value.magnitude < 10 ? "%.4f" : "%.1f", value))"
    }

    static func duration(_ seconds: Double) -> String {
        if seconds < 1 { return String(format: "%.0fms", seconds * 1000) }
        if seconds < 60 { return String(format: "%.1fs", seconds) }
        return String(format: "%dm%02ds", Int(seconds) / 60, Int(seconds) % 60)
    }

    static func relativeToCwd(_ path: String) -> String {
        let cwd = FileManager.default.currentDirectoryPath
        return path.hasPrefix(cwd + "/") ? String(path.dropFirst(cwd.count + 1)) : path
    }

    static func render(_ rows: [[String]]) -> String { TextTable.render(rows) }
}
