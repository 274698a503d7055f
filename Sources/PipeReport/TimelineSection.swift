import Foundation
import PipeEngine

/// The timeline section: one horizontal bar per task of the latest run that
/// did work, placed by its run record's start and duration, grouped by stage.
/// Tasks that run reused from the cache are listed as cached, without a bar.
enum TimelineSection {
    struct Bar {
        var stage: String
        var task: String
        var status: TaskStatus
        /// Seconds from the start of the run; nil for a reused task.
        var start: Double?
        var seconds: Double
    }

    /// The bars in stage order (as the DAG lists nodes), tasks in settle order.
    static func bars(_ snapshot: ReportSnapshot) -> [Bar] {
        guard let run = snapshot.workRun else { return [] }
        let end = run.finished ?? snapshot.workTasks.compactMap { task in
            task.started.map { $0.addingTimeInterval(task.seconds ?? 0) }
        }.max() ?? run.started
        var bars: [Bar] = []
        let order = snapshot.nodes.map(\.name) + snapshot.workTasks.map(\.stage)
        var seen = Set<String>()
        for stage in order where seen.insert(stage).inserted {
            for task in ReportSnapshot.ordered(snapshot.workTasks.filter { $0.stage == stage }) {
                let seconds = task.seconds ?? 0
                var start: Double?
                switch task.status {
                case .ran: start = task.started.map { max(0, $0.timeIntervalSince(run.started)) }
                case .failed: start = max(0, end.timeIntervalSince(run.started) - seconds)
                default: start = nil
                }
                bars.append(Bar(stage: stage, task: task.task, status: task.status, start: start, seconds: seconds))
            }
        }
        return bars
    }

    static func html(_ snapshot: ReportSnapshot) -> String {
        let bars = Self.bars(snapshot)
        guard let run = snapshot.workRun, !bars.isEmpty else {
            return HTML.section(id: "timeline", title: "Timeline", HTML.empty("not run yet: no task of this pipeline has run"))
        }
        let caption = "<p class=\"legend\">Run #\(run.id) started \(HTML.escape(ReportPage.timestamp(run.started)))"
            + (run.finished.map { ", wall time \(HTML.duration($0.timeIntervalSince(run.started)))" } ?? "")
            + "; \(bars.filter { $0.start != nil }.count) tasks did work, \(bars.filter { $0.start == nil }.count) reused.</p>"
        return HTML.section(id: "timeline", title: "Timeline", caption + svg(bars))
    }

    static func svg(_ bars: [Bar]) -> String {
        let labelWidth = 190.0, width = 1100.0, rowHeight = 18.0, top = 22.0
        let span = max(bars.compactMap { bar in bar.start.map { $0 + bar.seconds } }.max() ?? 0, 0.001)
        let ticks = LineChart.ticks([0, span], count: 6)
        let scale = (width - labelWidth - 20) / ticks.upper
        var rows: [String] = [], stage = ""
        var y = top
        for bar in bars {
            if bar.stage != stage {
                stage = bar.stage
                y += 4
                rows.append("<text class=\"stage\" x=\"4\" y=\"\(HTML.number(y + 12))\">\(HTML.escape(stage))</text>")
                y += rowHeight
            }
            rows.append("<text class=\"tick\" x=\"16\" y=\"\(HTML.number(y + 12))\">\(HTML.escape(DAGSection.clip(bar.task, 28)))</text>")
            if let start = bar.start {
                let x = labelWidth + start * scale, w = max(bar.seconds * scale, 1.5)
                rows.append("<rect class=\"bar \(HTML.escape(bar.status.rawValue))\" x=\"\(HTML.number(x))\" y=\"\(HTML.number(y + 2))\" "
                    + "width=\"\(HTML.number(w))\" height=\"\(HTML.number(rowHeight - 5))\"><title>"
                    + "\(HTML.escape(bar.task)): \(HTML.escape(bar.status.rawValue)) \(HTML.duration(bar.seconds)) from +\(HTML.duration(start))"
                    + "</title></rect><text class=\"tick\" x=\"\(HTML.number(x + w + 4))\" y=\"\(HTML.number(y + 12))\">"
                    + "\(HTML.duration(bar.seconds))</text>")
            } else {
                rows.append("<text class=\"detail\" x=\"\(HTML.number(labelWidth))\" y=\"\(HTML.number(y + 12))\">"
                    + "\(HTML.escape(bar.status.rawValue)) (took \(HTML.duration(bar.seconds)) when it ran)</text>")
            }
            y += rowHeight
        }
        var axis = ""
        for tick in ticks.values {
            let x = labelWidth + tick * scale
            axis += "<line class=\"grid\" x1=\"\(HTML.number(x))\" x2=\"\(HTML.number(x))\" y1=\"\(HTML.number(top))\" "
                + "y2=\"\(HTML.number(y))\"/><text class=\"tick\" x=\"\(HTML.number(x))\" y=\"14\" text-anchor=\"middle\">"
                + "\(HTML.escape(HTML.duration(tick)))</text>\n"
        }
        return "<svg class=\"timeline\" width=\"\(HTML.number(width))\" height=\"\(HTML.number(y + 6))\" "
            + "viewBox=\"0 0 \(HTML.number(width)) \(HTML.number(y + 6))\" role=\"img\" "
            + "aria-label=\"timeline of tasks\">\n" + axis + rows.joined(separator: "\n") + "\n</svg>\n"
    }
}
