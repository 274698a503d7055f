import Foundation
import PipeEngine

/// The DAG section: an inline SVG with one box per data source and stage,
/// coloured by what the latest run did (ran, cached, failed, not run), with
/// the fan-out count and time, and arrows from inputs to consumers.
enum DAGSection {
    static let boxWidth = 180.0, boxHeight = 58.0, columnGap = 70.0, rowGap = 22.0, margin = 12.0

    /// The status of a node: `failed` if any task failed, else `ran` if any ran,
    /// `cached` if all were reused, `data` for a source without tasks, else `not-run`.
    static func status(of node: ReportSnapshot.Node, tasks: [ReportSnapshot.Task]) -> String {
        if tasks.contains(where: { $0.status == .failed }) { return "failed" }
        if tasks.contains(where: { $0.status == .ran }) { return "ran" }
        if !tasks.isEmpty, tasks.allSatisfy({ $0.status == .cached }) { return "cached" }
        if !tasks.isEmpty { return tasks[0].status.rawValue }
        return node.kind == "data" ? "data" : "not-run"
    }

    static func html(_ snapshot: ReportSnapshot) -> String {
        HTML.section(id: "dag", title: "Pipeline DAG", svg(snapshot) + legend(snapshot))
    }

    static func svg(_ snapshot: ReportSnapshot) -> String {
        let layout = DAGLayout(nodes: snapshot.nodes.map { ($0.name, $0.inputs) })
        let width = margin * 2 + Double(layout.columns.count) * (boxWidth + columnGap) - columnGap
        let height = margin * 2 + Double(layout.height) * (boxHeight + rowGap) - rowGap
        func origin(_ name: String) -> (x: Double, y: Double)? {
            guard let place = layout.placed[name] else { return nil }
            let count = Double(layout.columns[place.column].count)
            let offset = (Double(layout.height) - count) * (boxHeight + rowGap) / 2
            return (margin + Double(place.column) * (boxWidth + columnGap),
                    margin + offset + Double(place.row) * (boxHeight + rowGap))
        }
        let size = "width=\"\(HTML.number(max(width, 10)))\" height=\"\(HTML.number(max(height, 10)))\""
        let viewBox = "viewBox=\"0 0 \(HTML.number(max(width, 10))) \(HTML.number(max(height, 10)))\""
        var svg = "<svg class=\"dag\" \(size) \(viewBox) role=\"img\" aria-label=\"pipeline DAG\">\n"
        svg += "<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" "
            + "orient=\"auto\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#667\"/></marker></defs>\n"
        for node in snapshot.nodes {
            guard let to = origin(node.name) else { continue }
            for input in node.inputs {
                guard let from = origin(input) else { continue }
                let x1 = from.x + boxWidth, y1 = from.y + boxHeight / 2, x2 = to.x - 2, y2 = to.y + boxHeight / 2
                let mid = (x1 + x2) / 2
                svg += "<path class=\"edge\" d=\"M\(HTML.number(x1)),\(HTML.number(y1)) C\(HTML.number(mid)),"
                    + "\(HTML.number(y1)) \(HTML.number(mid)),\(HTML.number(y2)) \(HTML.number(x2)),\(HTML.number(y2))\" "
                    + "marker-end=\"url(#arrow)\"/>\n"
            }
        }
        for node in snapshot.nodes {
            guard let at = origin(node.name) else { continue }
            svg += box(node, tasks: snapshot.tasks(of: node.name), x: at.x, y: at.y)
        }
        return svg + "</svg>\n"
    }

    static func box(_ node: ReportSnapshot.Node, tasks: [ReportSnapshot.Task], x: Double, y: Double) -> String {
        let status = Self.status(of: node, tasks: tasks)
        let title = node.kind == "data" ? node.name : "\(node.name) (\(node.kind))"
        var detail = node.kind == "data" ? "data source" : status.replacingOccurrences(of: "-", with: " ")
        if tasks.count > 1 {
            let counts = Dictionary(grouping: tasks, by: \.status).mapValues(\.count)
            detail = "\(tasks.count) tasks: " + [TaskStatus.ran, .cached, .failed, .skipped].compactMap { status in
                counts[status].map { "\($0) \(status.rawValue)" }
            }.joined(separator: ", ")
        }
        let seconds = tasks.compactMap(\.seconds).reduce(0, +)
        let time = tasks.isEmpty ? "" : (status == "cached" ? "took " : "") + HTML.duration(seconds)
        let tip = ([title, detail, time].filter { !$0.isEmpty }).joined(separator: " · ")
        return "<g class=\"node \(HTML.escape(status))\"><title>\(HTML.escape(tip))</title>"
            + "<rect x=\"\(HTML.number(x))\" y=\"\(HTML.number(y))\" width=\"\(HTML.number(boxWidth))\" "
            + "height=\"\(HTML.number(boxHeight))\" rx=\"7\"/>"
            + text(x + 10, y + 20, clip(title, 24), cls: "name")
            + text(x + 10, y + 36, clip(detail, 30), cls: "detail")
            + text(x + 10, y + 50, time, cls: "detail") + "</g>\n"
    }

    static func text(_ x: Double, _ y: Double, _ value: String, cls: String) -> String {
        "<text class=\"\(cls)\" x=\"\(HTML.number(x))\" y=\"\(HTML.number(y))\">\(HTML.escape(value))</text>"
    }

    static func clip(_ text: String, _ length: Int) -> String {
        text.count <= length ? text : String(text.prefix(length - 1)) + "…"
    }

    static func legend(_ snapshot: ReportSnapshot) -> String {
        let run = snapshot.run.map { "run #\($0.id), \(ReportPage.timestamp($0.started)), \($0.status)" } ?? "never run"
        return "<p class=\"legend\"><span class=\"swatch ran\"></span>ran <span class=\"swatch cached\"></span>cached "
            + "<span class=\"swatch failed\"></span>failed <span class=\"swatch not-run\"></span>not run "
            + "<span class=\"swatch data\"></span>data source. Latest run: \(HTML.escape(run)).</p>"
    }
}
