import Foundation

/// `pipe report --compare A B`: two versions side by side: what differs in
/// their resolved params and why stages differ (`SpecComparison`), their
/// metrics matched task by task, then each version's DAG, timeline, curves
/// and sweep in two columns, and the versions table with both highlighted.
extension ReportPage {
    /// Section ids and headings of the comparison page, in order.
    public static let compareSections: [(id: String, title: String)] = [
        ("params", "Parameter differences"), ("metrics", "Metrics side by side"), ("side-by-side", "Side by side"),
        ("versions", "Versions: CV vs LB"),
    ]

    /// The comparison page of `a` and `b`; `comparison` is `SpecComparison(specA, specB, registry:)`.
    public static func renderComparison(_ a: ReportSnapshot, _ b: ReportSnapshot, comparison: SpecComparison,
                                        generated: Date = Date()) -> String {
        let body = params(comparison, a: a.pipeline, b: b.pipeline) + metrics(a, b)
            + HTML.section(id: "side-by-side", title: "Side by side", "<div class=\"columns\">\n"
                + column(a, prefix: "a") + column(b, prefix: "b") + "</div>")
            + VersionsSection.html(b.versions.count >= a.versions.count ? b : a, highlight: [a.pipeline, b.pipeline])
        return document(title: "pipe report: \(a.pipeline) vs \(b.pipeline)", intro: "", navigation: compareSections,
                        body: body, generated: generated)
    }

    static func params(_ comparison: SpecComparison, a: String, b: String) -> String {
        var body = comparison.valueChanges.isEmpty ? HTML.empty("no resolved parameter differs")
            : HTML.table(header: ["where", "parameter", a, b], rows: comparison.valueChanges.map { change in
                [change.scope, change.field, ValueChange.show(change.old), ValueChange.show(change.new)]
            })
        body += "<h3>Stages whose results differ</h3>\n"
        body += comparison.changedStages.isEmpty ? HTML.empty("none: every stage is shared from the cache")
            : "<ul>\n" + comparison.changedStages.map { change in
                "<li><b>\(HTML.escape(change.stage))</b>: \(HTML.escape(change.reasons.joined(separator: "; ")))"
                    + (change.reruns ? "" : " (nothing reruns)") + "</li>"
            }.joined(separator: "\n") + "\n</ul>"
        if !comparison.unchangedStages.isEmpty {
            body += "<p class=\"legend\">Unchanged (shared from the cache): "
                + HTML.escape(comparison.unchangedStages.joined(separator: ", ")) + "</p>"
        }
        return HTML.section(id: "params", title: "Parameter differences", body)
    }

    /// Numeric metrics of both latest runs, matched by task and name.
    static func metrics(_ a: ReportSnapshot, _ b: ReportSnapshot) -> String {
        func table(_ snapshot: ReportSnapshot) -> [String: [String: Double]] {
            Dictionary(snapshot.tasks.map { ($0.task, ($0.metrics.objectValue ?? [:]).compactMapValues(\.doubleValue)) },
                       uniquingKeysWith: { _, last in last })
        }
        let left = table(a), right = table(b)
        var rows: [String] = []
        for task in Set(left.keys).union(right.keys).sorted() {
            for name in Set(left[task]?.keys.map { $0 } ?? []).union(right[task]?.keys.map { $0 } ?? []).sorted() {
                let x = left[task]?[name], y = right[task]?[name]
                let delta = (x != nil && y != nil) ? y! - x! : nil
                let deltaClass = delta.map { $0 > 0 ? " delta-up" : $0 < 0 ? " delta-down" : "" } ?? ""
                rows.append("<tr><td>\(HTML.escape(task))</td><td>\(HTML.escape(name))</td>"
                    + "<td class=\"num\">\(x.map(HTML.metric) ?? "-")</td><td class=\"num\">\(y.map(HTML.metric) ?? "-")</td>"
                    + "<td class=\"num\(deltaClass)\">\(delta.map { String(format: "%+.4f", $0) } ?? "")</td></tr>")
            }
        }
        let body = rows.isEmpty ? HTML.empty("not run yet: run both versions to compare their metrics")
            : "<table>\n<thead><tr><th>task</th><th>metric</th><th>\(HTML.escape(a.pipeline))</th><th>"
                + "\(HTML.escape(b.pipeline))</th><th>delta</th></tr></thead>\n<tbody>\n" + rows.joined(separator: "\n")
                + "\n</tbody>\n</table>"
        return HTML.section(id: "metrics", title: "Metrics side by side", body)
    }

    /// One version's DAG, timeline, curves and sweep, section ids prefixed so both columns can share the page.
    static func column(_ snapshot: ReportSnapshot, prefix: String) -> String {
        let html = "<div>\n<h3>\(HTML.escape(snapshot.pipeline))</h3>\n" + DAGSection.html(snapshot) + TimelineSection.html(snapshot)
            + CurvesSection.html(snapshot) + SweepSection.html(snapshot) + "</div>\n"
        return html.replacingOccurrences(of: "<section id=\"", with: "<section id=\"\(prefix)-")
            .replacingOccurrences(of: "id=\"arrow\"", with: "id=\"arrow-\(prefix)\"")
            .replacingOccurrences(of: "url(#arrow)", with: "url(#arrow-\(prefix))")
    }
}
