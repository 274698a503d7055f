import Foundation

/// A small line/scatter chart drawn as inline SVG: axes with "nice" ticks,
/// one polyline (and dots) per series, a legend. Pure: data in, markup out.
struct LineChart {
    struct Series {
        var name: String
        var points: [(x: Double, y: Double)]
        /// Draw dots at every point (always on for single points).
        var dots = false
        var dashed = false
        /// Palette slot; series order when nil. Series sharing a slot share a legend entry (the first one's name).
        var colorIndex: Int? = nil
    }

    /// The first series of each colour: one legend line each.
    var legendEntries: [Int] {
        var seen = Set<String>()
        return series.indices.filter { seen.insert(color(of: $0)).inserted }
    }

    func color(of index: Int) -> String {
        Self.palette[(series[index].colorIndex ?? index) % Self.palette.count]
    }

    var title: String
    var xLabel: String
    var yLabel: String
    var series: [Series]
    /// Text labels for integer x positions (versions), instead of numbers.
    var xCategories: [String]? = nil
    /// A vertical marker (the best threshold), with its label.
    var marker: (x: Double, label: String)? = nil
    var width = 360.0
    var height = 230.0

    static let palette = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"]

    var svg: String {
        // The legend sits in a right margin, so it never hides a line.
        let left = 52.0, right = legendEntries.count > 1 ? 84.0 : 12.0, top = 24.0, bottom = 40.0
        let plotWidth = width - left - right, plotHeight = height - top - bottom
        let points = series.flatMap(\.points).filter { $0.x.isFinite && $0.y.isFinite }
        var out = "<svg class=\"chart\" width=\"\(HTML.number(width))\" height=\"\(HTML.number(height))\" role=\"img\" "
            + "aria-label=\"\(HTML.escape(title))\">\n"
        out += "<text class=\"title\" x=\"\(HTML.number(width / 2))\" y=\"15\" text-anchor=\"middle\">\(HTML.escape(title))</text>\n"
        guard !points.isEmpty else {
            return out + "<text class=\"detail\" x=\"\(HTML.number(width / 2))\" y=\"\(HTML.number(height / 2))\" "
                + "text-anchor=\"middle\">no data</text></svg>\n"
        }
        let xs = xScale(points), ys = Self.ticks(points.map(\.y), count: 5)
        func px(_ x: Double) -> Double { left + (x - xs.lower) / (xs.upper - xs.lower) * plotWidth }
        func py(_ y: Double) -> Double { top + plotHeight - (y - ys.lower) / (ys.upper - ys.lower) * plotHeight }
        out += "<rect class=\"plot\" x=\"\(HTML.number(left))\" y=\"\(HTML.number(top))\" width=\"\(HTML.number(plotWidth))\" "
            + "height=\"\(HTML.number(plotHeight))\"/>\n"
        for tick in ys.values {
            out += "<line class=\"grid\" x1=\"\(HTML.number(left))\" x2=\"\(HTML.number(left + plotWidth))\" "
                + "y1=\"\(HTML.number(py(tick)))\" y2=\"\(HTML.number(py(tick)))\"/>"
                + "<text class=\"tick\" x=\"\(HTML.number(left - 4))\" y=\"\(HTML.number(py(tick) + 4))\" "
                + "text-anchor=\"end\">\(Self.label(tick, step: ys.step))</text>\n"
        }
        for tick in xs.values {
            let text = xCategories.map { $0[Int(tick)] } ?? Self.label(tick, step: xs.step)
            out += "<text class=\"tick\" x=\"\(HTML.number(px(tick)))\" y=\"\(HTML.number(top + plotHeight + 14))\" "
                + "text-anchor=\"middle\">\(HTML.escape(text))</text>\n"
        }
        out += "<text class=\"axis\" x=\"\(HTML.number(left + plotWidth / 2))\" y=\"\(HTML.number(height - 6))\" "
            + "text-anchor=\"middle\">\(HTML.escape(xLabel))</text>\n"
        out += "<text class=\"axis\" transform=\"translate(12,\(HTML.number(top + plotHeight / 2))) rotate(-90)\" "
            + "text-anchor=\"middle\">\(HTML.escape(yLabel))</text>\n"
        if let marker {
            out += "<line class=\"marker\" x1=\"\(HTML.number(px(marker.x)))\" x2=\"\(HTML.number(px(marker.x)))\" "
                + "y1=\"\(HTML.number(top))\" y2=\"\(HTML.number(top + plotHeight))\"/>"
                + "<text class=\"tick\" x=\"\(HTML.number(px(marker.x) + 4))\" y=\"\(HTML.number(top + 12))\">"
                + "\(HTML.escape(marker.label))</text>\n"
        }
        for (index, line) in series.enumerated() {
            let color = color(of: index)
            let valid = line.points.filter { $0.x.isFinite && $0.y.isFinite }
            let path = valid.map { "\(HTML.number(px($0.x))),\(HTML.number(py($0.y)))" }.joined(separator: " ")
            if valid.count > 1 {
                out += "<polyline class=\"series\" points=\"\(path)\" stroke=\"\(color)\"\(line.dashed ? " stroke-dasharray=\"5 3\"" : "")>"
                    + "<title>\(HTML.escape(line.name))</title></polyline>\n"
            }
            if line.dots || valid.count == 1 {
                for point in valid {
                    out += "<circle cx=\"\(HTML.number(px(point.x)))\" cy=\"\(HTML.number(py(point.y)))\" r=\"3.5\" fill=\"\(color)\">"
                        + "<title>\(HTML.escape(line.name)): \(HTML.metric(point.y))</title></circle>\n"
                }
            }
        }
        return out + legend(left: left, top: top, plotWidth: plotWidth) + "</svg>\n"
    }

    func legend(left: Double, top: Double, plotWidth: Double) -> String {
        let entries = legendEntries
        guard entries.count > 1 else { return "" }
        var out = ""
        for (row, index) in entries.enumerated() {
            let line = series[index]
            let y = top + 8 + Double(row) * 13, x = left + plotWidth + 8
            out += "<rect x=\"\(HTML.number(x))\" y=\"\(HTML.number(y - 7))\" width=\"10\" height=\"4\" "
                + "fill=\"\(color(of: index))\"/>"
                + "<text class=\"tick\" x=\"\(HTML.number(x + 14))\" y=\"\(HTML.number(y - 2))\">"
                + "\(HTML.escape(DAGSection.clip(line.name, 11)))</text>\n"
        }
        return out
    }

    /// The x axis: one slot per category when there are categories (all shown,
    /// even those without a point), else round ticks covering the points and marker.
    func xScale(_ points: [(x: Double, y: Double)]) -> (lower: Double, upper: Double, step: Double, values: [Double]) {
        if let categories = xCategories, !categories.isEmpty {
            return (-0.5, Double(categories.count) - 0.5, 1, categories.indices.map { Double($0) })
        }
        return Self.ticks(points.map(\.x) + (marker.map { [$0.x] } ?? []), count: 5)
    }

    /// Round tick values covering `values`: `count` or so steps of 1, 2 or 5 × 10^k.
    static func ticks(_ values: [Double], count: Int) -> (lower: Double, upper: Double, step: Double, values: [Double]) {
        var low = values.min() ?? 0, high = values.max() ?? 1
        if low == high { low -= max(abs(low) * 0.1, 0.5); high += max(abs(high) * 0.1, 0.5) }
        let raw = (high - low) / Double(max(count, 1))
        let magnitude = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? raw
        let lower = floor(low / step) * step, upper = ceil(high / step) * step
        var ticks: [Double] = []
        var tick = lower
        while tick <= upper + step / 2, ticks.count < 50 {
            ticks.append(tick)
            tick += step
        }
        return (lower, max(upper, lower + step), step, ticks)
    }

    static func label(_ value: Double, step: Double) -> String {
        if step >= 1, value.magnitude < 1e6 { return String(Int(value.rounded())) }
        if step < 1e-3 { return String(format: "%g", value.magnitude < step / 2 ? 0 : value) }
        let decimals = max(0, Int(ceil(-log10(step))))
        return String(format: "%.\(decimals)f", value)
    }
}
