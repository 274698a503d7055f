import Foundation

/// The log-log plot of `pipe-bench scale` as a self-contained SVG: seconds
/// against task count, one colour per tool, one dash pattern per case, with
/// decade grid lines.
struct ScalePlot {
    let points: [ScalePoint]
    let width = 720.0, height = 480.0
    let left = 70.0, right = 170.0, top = 30.0, bottom = 50.0

    static let colours = ["pipe": "#1f77b4", "snakemake": "#d62728", "dvc": "#2ca02c"]
    static let dashes = ["plan": "2,4", "cold": "", "no-op": "8,4", "change": "1,3"]

    var svg: String {
        guard !points.isEmpty else { return "<svg xmlns=\"http://www.w3.org/2000/svg\"/>\n" }
        let counts = points.map { log10(Double($0.count)) }
        let times = points.flatMap { $0.cases.map { log10(max($0.1.seconds, 1e-3)) } }
        let (x0, x1) = (floor(counts.min()!), ceil(counts.max()!))
        let (y0, y1) = (floor(times.min()!), ceil(times.max()!))
        func x(_ value: Double) -> Double { left + (value - x0) / max(x1 - x0, 1) * (width - left - right) }
        func y(_ value: Double) -> Double { height - bottom - (value - y0) / max(y1 - y0, 1) * (height - top - bottom) }
        var body: [String] = []
        for decade in stride(from: x0, through: x1, by: 1) {
            body.append(line(x(decade), top, x(decade), height - bottom, "#ddd"))
            body.append(text(x(decade), height - bottom + 18, "10^\(Int(decade))", anchor: "middle"))
        }
        for decade in stride(from: y0, through: y1, by: 1) {
            body.append(line(left, y(decade), width - right, y(decade), "#ddd"))
            body.append(text(left - 8, y(decade) + 4, label(seconds: pow(10, decade)), anchor: "end"))
        }
        var legend = top
        for tool in ScaleTable.uniqueTools(points) {
            let mine = points.filter { $0.tool == tool }.sorted { $0.count < $1.count }
            let colour = Self.colours[tool] ?? "#555"
            for (index, name) in ["plan", "cold", "no-op", "change"].enumerated() {
                let path = mine.map { point in
                    "\(fmt(x(log10(Double(point.count))))),\(fmt(y(log10(max(point.cases[index].1.seconds, 1e-3)))))"
                }.joined(separator: " ")
                let dash = Self.dashes[name].map { $0.isEmpty ? "" : " stroke-dasharray=\"\($0)\"" } ?? ""
                body.append("<polyline points=\"\(path)\" fill=\"none\" stroke=\"\(colour)\" stroke-width=\"2\"\(dash)/>")
                body.append(line(width - right + 12, legend, width - right + 40, legend, colour, dash: dash))
                body.append(text(width - right + 46, legend + 4, "\(tool) \(name)", anchor: "start"))
                legend += 16
            }
            legend += 8
        }
        body.append(text((left + width - right) / 2, height - 12, "tasks (N fan-out + 1 gather)", anchor: "middle"))
        body.append("<text x=\"16\" y=\"\(fmt((top + height - bottom) / 2))\" font-size=\"12\" text-anchor=\"middle\" "
                    + "transform=\"rotate(-90 16 \(fmt((top + height - bottom) / 2)))\">wall time</text>")
        body.append(text(left, 18, "pipe-bench scale: wall time vs task count (log-log)", anchor: "start"))
        return """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" \
            viewBox="0 0 \(Int(width)) \(Int(height))" font-family="sans-serif">
            <rect width="100%" height="100%" fill="white"/>
            \(body.joined(separator: "\n"))
            </svg>

            """
    }

    private func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, _ colour: String, dash: String = "") -> String {
        "<line x1=\"\(fmt(x1))\" y1=\"\(fmt(y1))\" x2=\"\(fmt(x2))\" y2=\"\(fmt(y2))\" stroke=\"\(colour)\" stroke-width=\"\(dash.isEmpty && colour == "#ddd" ? 1 : 2)\"\(dash)/>"
    }

    private func text(_ x: Double, _ y: Double, _ content: String, anchor: String) -> String {
        "<text x=\"\(fmt(x))\" y=\"\(fmt(y))\" font-size=\"12\" text-anchor=\"\(anchor)\">\(content)</text>"
    }

    private func label(seconds: Double) -> String {
        seconds < 1 ? "\(Int((seconds * 1000).rounded())) ms" : "\(Int(seconds.rounded())) s"
    }

    private func fmt(_ value: Double) -> String { String(format: "%.1f", value) }
}
