import Foundation

/// The threshold sweep: Dice against the binarisation threshold from every
/// validate task's `sweep.json`, the best threshold marked.
enum SweepSection {
    static let file = ReportArtifacts.thresholdSweep

    static func sweeps(_ snapshot: ReportSnapshot) -> [(task: String, sweep: ThresholdSweep)] {
        snapshot.tasks.compactMap { task in
            guard let path = task.files[file], let sweep = ThresholdSweep(path: path) else { return nil }
            return (task: task.task, sweep: sweep)
        }
    }

    static func chart(_ task: String, _ sweep: ThresholdSweep) -> LineChart {
        let best = sweep.best
        return LineChart(title: "\(task): Dice by threshold", xLabel: "threshold", yLabel: "Dice",
                         series: [.init(name: "Dice", points: zip(sweep.thresholds, sweep.dice).map { (x: $0, y: $1) },
                                        dots: true)],
                         marker: (best.threshold, "best \(HTML.number(best.threshold)): \(HTML.metric(best.dice))"),
                         width: 480, height: 260)
    }

    static func html(_ snapshot: ReportSnapshot) -> String {
        let found = sweeps(snapshot)
        guard !found.isEmpty else {
            return HTML.section(id: "sweep", title: "Threshold sweep", HTML.empty(
                "not run yet: a validate task writes \(file) ({\"thresholds\": [...], \"dice\": [...]})"))
        }
        var body = "<div class=\"charts\">\n" + found.map { chart($0.task, $0.sweep).svg }.joined() + "</div>\n"
        body += HTML.table(header: ["task", "threshold", "Dice"], rows: found.flatMap { task, sweep in
            zip(sweep.thresholds, sweep.dice).map { [task, HTML.number($0), HTML.metric($1)] }
        }, numericFrom: 1)
        return HTML.section(id: "sweep", title: "Threshold sweep", body)
    }
}
