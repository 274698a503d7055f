import Foundation
import PipeStages

/// The threshold sweep: Dice against the binarisation threshold from every
/// validate task's `sweep.json`, the best threshold marked.
enum SweepSection {
    static func sweeps(_ snapshot: ReportSnapshot) -> [(task: String, sweep: ThresholdSweep)] {
        snapshot.tasks.compactMap { task in
            guard let path = snapshot.file(.thresholdSweep, of: task), let sweep = ThresholdSweep(path: path) else { return nil }
            return (task: task.task, sweep: sweep)
        }
    }

    static func chart(_ task: String, _ sweep: ThresholdSweep) -> LineChart {
        let best = sweep.best
        var series: [LineChart.Series] = [.init(name: "Dice", points: zip(sweep.thresholds, sweep.dice).map { (x: $0, y: $1) },
                                                dots: true)]
        if let holdout = sweep.holdout {
            series.append(.init(name: "holdout", points: zip(sweep.thresholds, holdout).map { (x: $0, y: $1) }, dashed: true))
        }
        return LineChart(title: "\(task): Dice by threshold", xLabel: "threshold", yLabel: "Dice",
                         series: series,
                         marker: (best.threshold, "best \(HTML.number(best.threshold)): \(HTML.metric(best.dice))"),
                         width: 480, height: 260)
    }

    /// The warning for a best threshold on the edge of its sweep, nil otherwise.
    static func warning(_ task: String, _ sweep: ThresholdSweep) -> String? {
        guard sweep.bestIsOnEdge else { return nil }
        let low = sweep.thresholds.min()!, side = sweep.best.threshold == low ? "lowest" : "highest"
        return "\(task): the best threshold \(HTML.number(sweep.best.threshold)) is the \(side) one swept "
            + "(\(HTML.number(low))–\(HTML.number(sweep.thresholds.max()!))); the optimum may lie beyond it, so its Dice "
            + "understates the model: widen the validate stage's 'thresholds'"
    }

    static func html(_ snapshot: ReportSnapshot) -> String {
        let found = sweeps(snapshot)
        guard !found.isEmpty else {
            return HTML.section(id: "sweep", title: "Threshold sweep", HTML.empty(
                "not run yet: a validate task writes its threshold sweep ({\"thresholds\": [...], \"dice\": [...]})"))
        }
        var body = found.compactMap { warning($0.task, $0.sweep) }.map(HTML.warning).joined(separator: "\n")
        body += "<div class=\"charts\">\n" + found.map { chart($0.task, $0.sweep).svg }.joined() + "</div>\n"
        let withHoldout = found.contains { $0.sweep.holdout != nil }
        body += HTML.table(header: ["task", "threshold", "Dice"] + (withHoldout ? ["holdout"] : []), rows: found.flatMap { task, sweep in
            sweep.thresholds.indices.map { k in
                [task, HTML.number(sweep.thresholds[k]), HTML.metric(sweep.dice[k])]
                    + (withHoldout ? [sweep.holdout.map { HTML.metric($0[k]) } ?? ""] : [])
            }
        }, numericFrom: 1)
        return HTML.section(id: "sweep", title: "Threshold sweep", body)
    }
}
