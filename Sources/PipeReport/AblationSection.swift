import Foundation
import PipeCore

/// The report's ablations: for each `pipe ablate` involving the version (its
/// `effects.json` under the cache's `ablations/`), a forest plot of the
/// effects with their intervals and the table of verdicts.
enum AblationSection {
    static let id = "ablations", title = "Ablations: which variable did it"

    /// The `effects.json` of every ablation in `cacheRoot` that ran `pipeline` as one of its versions.
    static func load(cacheRoot: String, involving pipeline: String) -> [JSONValue] {
        let root = URL(fileURLWithPath: cacheRoot).appendingPathComponent("ablations")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
        return names.sorted().compactMap { name in
            guard let data = FileManager.default.contents(atPath: root.appendingPathComponent("\(name)/effects.json").path),
                  let json = try? JSONValue(parsing: data),
                  json["versions"]?.arrayValue?.contains(where: { $0["version"]?.stringValue == pipeline }) == true
            else { return nil }
            return json
        }
    }

    static func html(_ snapshot: ReportSnapshot) -> String {
        guard !snapshot.ablations.isEmpty else {
            return HTML.section(id: id, title: title, HTML.empty(
                "no ablation involves this version yet: 'pipe ablate A.yaml B.yaml' measures each variable's effect"))
        }
        let body = snapshot.ablations.map { ablation -> String in
            let effects = ablation["effects"]?.arrayValue ?? []
            let heading = "<h3>\(HTML.escape(ablation["a"]?.display ?? "")) → \(HTML.escape(ablation["b"]?.display ?? "")): "
                + "\(HTML.escape(ablation["metric"]?.display ?? "")), \(HTML.escape(ablation["design"]?.display ?? ""))</h3>\n"
            let rows = effects.map { effect -> [String] in
                let low = effect["low"]?.doubleValue, high = effect["high"]?.doubleValue
                return [effect["name"]?.display ?? "", effect["estimate"]?.doubleValue.map(signed) ?? "",
                        low.flatMap { l in high.map { "[\(signed(l)), \(signed($0))]" } } ?? "-", effect["verdict"]?.display ?? ""]
            }
            return heading + plot(effects) + HTML.table(header: ["effect of", "estimate", "95% interval", "verdict"], rows: rows)
        }.joined(separator: "\n")
        return HTML.section(id: id, title: title, body)
    }

    static func signed(_ value: Double) -> String { String(format: "%+.4f", value) }

    /// A forest plot: one row per effect, its estimate as a dot, its interval as a bar, zero as a dashed line.
    static func plot(_ effects: [JSONValue]) -> String {
        let rows = effects.compactMap { effect -> (name: String, estimate: Double, low: Double, high: Double)? in
            guard let estimate = effect["estimate"]?.doubleValue else { return nil }
            return (effect["name"]?.display ?? "", estimate, effect["low"]?.doubleValue ?? estimate, effect["high"]?.doubleValue ?? estimate)
        }
        guard !rows.isEmpty else { return "" }
        let left = 230.0, width = 640.0, rowHeight = 26.0, height = rowHeight * Double(rows.count) + 30
        let span = max(rows.map { max(abs($0.low), abs($0.high)) }.max() ?? 0, 1e-6) * 1.1
        func x(_ value: Double) -> String { HTML.number(left + (value + span) / (2 * span) * (width - left - 10)) }
        var svg = "<svg class=\"chart\" role=\"img\" width=\"\(Int(width))\" height=\"\(Int(height))\" "
            + "viewBox=\"0 0 \(Int(width)) \(Int(height))\"><title>effects with 95% intervals</title>\n"
        svg += "<line x1=\"\(x(0))\" y1=\"0\" x2=\"\(x(0))\" y2=\"\(HTML.number(height - 20))\" stroke=\"#888\" stroke-dasharray=\"4 3\"/>\n"
        for (index, row) in rows.enumerated() {
            let y = HTML.number(rowHeight * Double(index) + 16)
            svg += "<text x=\"4\" y=\"\(y)\" dy=\"4\" font-size=\"12\">\(HTML.escape(row.name))</text>\n"
            svg += "<line x1=\"\(x(row.low))\" y1=\"\(y)\" x2=\"\(x(row.high))\" y2=\"\(y)\" stroke=\"#1f77b4\" stroke-width=\"3\"/>\n"
            svg += "<circle cx=\"\(x(row.estimate))\" cy=\"\(y)\" r=\"4\" fill=\"#d62728\"/>\n"
        }
        let axis = HTML.number(height - 6)
        svg += "<text x=\"\(x(-span))\" y=\"\(axis)\" font-size=\"11\">\(signed(-span))</text>"
            + "<text x=\"\(x(0))\" y=\"\(axis)\" font-size=\"11\" text-anchor=\"middle\">0</text>"
            + "<text x=\"\(x(span))\" y=\"\(axis)\" font-size=\"11\" text-anchor=\"end\">\(signed(span))</text>\n"
        return svg + "</svg>\n"
    }
}
