import Foundation
import PipeStages

/// Learning curves: for every stage whose tasks wrote `metrics.csv` (a train
/// stage, one task per fold), three charts with one colour per fold: loss
/// (train solid, validation dashed), validation Dice, and learning rate,
/// then a table of each fold's last and best epoch.
enum CurvesSection {
    /// Curves by stage, in DAG order; each stage's folds in task order.
    static func curves(_ snapshot: ReportSnapshot) -> [(stage: String, curves: [TrainingCurve])] {
        var result: [(stage: String, curves: [TrainingCurve])] = []
        for node in snapshot.nodes {
            let curves = snapshot.tasks(of: node.name).compactMap { task -> TrainingCurve? in
                guard let path = snapshot.file(.learningCurve, of: task) else { return nil }
                var curve = TrainingCurve(task: task.task, path: path)
                curve?.seconds = task.metrics["seconds"]?.doubleValue ?? task.seconds   // train's own time, also when cached
                return curve
            }
            if !curves.isEmpty { result.append((node.name, curves)) }
        }
        return result
    }

    static func html(_ snapshot: ReportSnapshot) -> String {
        let found = curves(snapshot)
        guard !found.isEmpty else {
            return HTML.section(id: "curves", title: "Learning curves", HTML.empty(
                "not run yet: a train task writes its learning curve per fold (columns \(TrainingCurve.expectedColumns.joined(separator: ",")))"))
        }
        var body = ""
        for (stage, curves) in found {
            body += "<h3>\(HTML.escape(stage))</h3>\n<div class=\"charts\">\n"
            body += charts(curves).map(\.svg).joined()
            body += "</div>\n" + table(curves)
        }
        return HTML.section(id: "curves", title: "Learning curves", body)
    }

    /// The loss, Dice and learning-rate charts of one stage's folds.
    static func charts(_ curves: [TrainingCurve]) -> [LineChart] {
        var loss: [LineChart.Series] = []
        for (index, curve) in curves.enumerated() {
            loss.append(.init(name: curve.task, points: curve.points("train_loss"), colorIndex: index))
            loss.append(.init(name: "\(curve.task) val", points: curve.points("val_loss"), dashed: true, colorIndex: index))
        }
        let dice = curves.map { LineChart.Series(name: $0.task, points: $0.points("val_dice")) }
        let rate = curves.map { LineChart.Series(name: $0.task, points: $0.points("lr")) }
        return [LineChart(title: "loss (train solid, val dashed)", xLabel: "epoch", yLabel: "loss", series: loss),
                LineChart(title: "validation Dice", xLabel: "epoch", yLabel: "Dice", series: dice),
                LineChart(title: "learning rate", xLabel: "epoch", yLabel: "lr", series: rate)]
    }

    static func table(_ curves: [TrainingCurve]) -> String {
        let rows = curves.map { curve -> [String] in
            let dice = curve.points("val_dice")
            let best = dice.max { $0.y < $1.y }
            return [curve.task, String(curve.columns.values.map(\.count).max() ?? 0),
                    curve.points("train_loss").last.map { HTML.metric($0.y) } ?? "-",
                    curve.points("val_loss").last.map { HTML.metric($0.y) } ?? "-",
                    dice.last.map { HTML.metric($0.y) } ?? "-",
                    best.map { "\(HTML.metric($0.y)) (epoch \(HTML.number($0.x)))" } ?? "-",
                    curve.seconds.map(HTML.duration) ?? "-"]
        }
        return HTML.table(header: ["fold", "epochs", "last train loss", "last val loss", "last val Dice", "best val Dice", "time"],
                          rows: rows, numericFrom: 1)
    }
}
