import Foundation
import PipeCore
import PipeEngine
import PipeReport
import PipeSpec

/// The table printed after `run` and `plan`: one row per task, except that
/// a large fan-out shows a few example tasks and one row counting the rest
/// (`RunTableRows`) unless `verbose`.
struct StageTable {
    let report: RunReport
    let planning: Bool
    var verbose = false
    /// Failures whose error and log are printed in full unless `verbose`.
    static let failuresShown = 5

    func print() {
        // A batch executor's column: the job that ran each task, or what a plan would ask for.
        let executorColumn = report.tasks.contains { $0.job != nil || $0.resources != nil }
        var rows: [[String]] = [["stage", "task", planning ? "plan" : "status", "time", "metric", planning ? "why" : "reason"]
                                + (executorColumn ? [planning ? "resources" : "job"] : [])]
        for row in RunTableRows().rows(report.tasks, verbose: verbose) {
            switch row {
            case .task(let task):
                rows.append([task.stage, task.task, task.status.rawValue, task.seconds.map(Self.duration) ?? "",
                             Self.keyMetric(task.metrics), task.reason]
                            + (executorColumn ? [planning ? task.resources.map(Self.resources) ?? "" : task.job ?? ""] : []))
            case .hidden(let stage, let count, let byStatus, let seconds):
                rows.append([stage, "… \(count) more", Self.counts(byStatus), seconds > 0 ? Self.duration(seconds) : "", "",
                             "--verbose lists every task"] + (executorColumn ? [""] : []))
            }
        }
        Swift.print(Self.render(rows))
        let failures = report.tasks.filter { $0.status == .failed }
        for task in verbose ? failures : Array(failures.prefix(Self.failuresShown)) {
            Swift.print("\n\(task.task) failed: \(task.error ?? "unknown error")")
            if let log = task.log, !log.isEmpty {
                Swift.print(log.split(separator: "\n", omittingEmptySubsequences: false).map { "  | \($0)" }.joined(separator: "\n"))
            }
        }
        if !verbose, failures.count > Self.failuresShown {
            Swift.print("\n… and \(failures.count - Self.failuresShown) more failed tasks (--verbose or --json lists them all)")
        }
        let summary = Self.counts(Dictionary(grouping: report.tasks, by: \.status).mapValues(\.count))
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

    /// `cpus=2 mem=4096M time=01:00:00 partition=gpu` as a plan shows it.
    static func resources(_ resources: StageResources) -> String {
        guard case .object(let fields) = resources.json else { return "" }
        return ["cpus", "mem", "time", "gpus", "gres", "partition", "account", "qos", "max_time", "max_mem"]
            .compactMap { name in
                fields[name].map { value in "\(name)=\(value.stringValue ?? value.intValue.map(String.init) ?? "")" }
            }.joined(separator: " ") + (resources.extra.map { " " + $0.joined(separator: " ") } ?? "")
    }

    /// "3 ran, 97 cached": the counts in a fixed order of statuses.
    static func counts(_ byStatus: [TaskStatus: Int]) -> String {
        [TaskStatus.ran, .cached, .willRun, .failed, .skipped].compactMap { status in
            byStatus[status].map { "\($0) \(status.rawValue)" }
        }.joined(separator: ", ")
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
