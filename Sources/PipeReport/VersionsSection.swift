import Foundation

/// Versions across the experiment: the table `pipe log` prints, and CV Dice
/// against the recorded leaderboard score per version, so a version where
/// they disagree stands out.
enum VersionsSection {
    static func html(_ snapshot: ReportSnapshot, highlight: Set<String>) -> String {
        let versions = snapshot.versions
        guard !versions.isEmpty else {
            return HTML.section(id: "versions", title: "Versions: CV vs LB", HTML.empty("not run yet: no version in the run history"))
        }
        return HTML.section(id: "versions", title: "Versions: CV vs LB", chart(versions) + table(versions, highlight: highlight))
    }

    /// CV and LB per version (x = version index), nil when no version has either.
    static func lineChart(_ versions: [ReportSnapshot.Version]) -> LineChart? {
        let cv = versions.enumerated().compactMap { index, version in version.cv.map { (x: Double(index), y: $0) } }
        let lb = versions.enumerated().compactMap { index, version in version.lb.map { (x: Double(index), y: $0) } }
        let holdout = versions.enumerated().compactMap { index, version in version.holdout.map { (x: Double(index), y: $0) } }
        guard !cv.isEmpty || !lb.isEmpty else { return nil }
        var series: [LineChart.Series] = [.init(name: "CV", points: cv, dots: true)]
        if !holdout.isEmpty { series.append(.init(name: "holdout", points: holdout, dots: true, colorIndex: 2)) }
        series.append(.init(name: "LB", points: lb, dots: true, dashed: true, colorIndex: 1))
        return LineChart(title: "CV Dice and leaderboard per version", xLabel: "version", yLabel: "score",
                         series: series,
                         xCategories: versions.map(\.name), width: max(480, Double(versions.count) * 60), height: 280)
    }

    static func chart(_ versions: [ReportSnapshot.Version]) -> String {
        guard let chart = lineChart(versions) else {
            return HTML.empty("no scores yet: CV appears once a version reports cv_dice_image or cv_dice_tile; "
                + "add a leaderboard score with 'pipe record VERSION --lb SCORE'")
        }
        var note = ""
        if versions.allSatisfy({ $0.lb == nil }) { note = HTML.empty("no leaderboard score recorded: 'pipe record VERSION --lb SCORE'") }
        if versions.allSatisfy({ $0.cv == nil }) { note = HTML.empty("no CV Dice reported yet (cv_dice_image or cv_dice_tile)") }
        return "<div class=\"charts\">\n\(chart.svg)</div>\n\(note)"
    }

    static func table(_ versions: [ReportSnapshot.Version], highlight: Set<String>) -> String {
        var html = "<table>\n<thead><tr><th>version</th><th>changed vs parent</th><th>time</th><th>CV</th><th>holdout</th>"
            + "<th>LB</th><th>CV − LB</th><th>purpose</th><th>conclusion</th></tr></thead>\n<tbody>\n"
        for version in versions {
            let changed = version.parent.map { "\($0): " + (version.changes.isEmpty ? "(nothing)" : version.changes.joined(separator: ", ")) }
                ?? "(base)"
            let gap = (version.cv != nil && version.lb != nil) ? String(format: "%+.4f", version.cv! - version.lb!) : ""
            let cells = [changed, HTML.duration(version.seconds), version.cv.map(HTML.metric) ?? "",
                         version.holdout.map(HTML.metric) ?? "", version.lb.map(HTML.metric) ?? "",
                         gap, version.description ?? "", version.note ?? ""]
            html += "<tr\(highlight.contains(version.name) ? " class=\"current\"" : "")><td>\(HTML.escape(version.name))</td>"
                + cells.enumerated().map { index, cell in
                    (1...5).contains(index) ? "<td class=\"num\">\(HTML.escape(cell))</td>" : "<td>\(HTML.escape(cell))</td>"
                }.joined() + "</tr>\n"
        }
        return html + "</tbody>\n</table>"
    }
}
