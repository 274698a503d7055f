import Foundation
import PipeEngine

/// Assembles the self-contained report page: inline CSS and SVG, PNGs as
/// `data:` URIs, no script and no external URL, so it opens offline, prints,
/// and can be mailed as one file.
public enum ReportPage {
    /// Section ids and headings in page order (tests check each is present).
    public static let sections: [(id: String, title: String)] = [
        ("dag", "Pipeline DAG"), ("timeline", "Timeline"), ("curves", "Learning curves"), ("sweep", "Threshold sweep"),
        ("overlays", "Worst-case overlays"), ("previews", "Augmentation and tile previews"), ("versions", "Versions: CV vs LB"),
        (AblationSection.id, AblationSection.title),
    ]

    /// The report of one pipeline version.
    public static func render(_ snapshot: ReportSnapshot, generated: Date = Date()) -> String {
        let body = DAGSection.html(snapshot) + TasksTable.html(snapshot) + TimelineSection.html(snapshot)
            + CurvesSection.html(snapshot) + SweepSection.html(snapshot) + ImagesSection.overlays(snapshot)
            + ImagesSection.previews(snapshot) + VersionsSection.html(snapshot, highlight: [snapshot.pipeline])
            + AblationSection.html(snapshot)
        let intro = snapshot.description.map { "<p class=\"description\">\(HTML.escape($0))</p>\n" } ?? ""
        return document(title: "pipe report: \(snapshot.pipeline)", intro: intro, navigation: sections,
                        body: body, generated: generated)
    }

    /// A whole page around `body`.
    static func document(title: String, intro: String, navigation: [(id: String, title: String)], body: String,
                         generated: Date) -> String {
        let nav = navigation.map { "<a href=\"#\(HTML.escape($0.id))\">\(HTML.escape($0.title))</a>" }.joined(separator: " · ")
        return """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(HTML.escape(title))</title>
            <style>
            \(ReportStyle.css)
            </style>
            </head>
            <body>
            <header>
            <h1>\(HTML.escape(title))</h1>
            \(intro)<p class="legend">Generated \(HTML.escape(timestamp(generated))) by pipe.</p>
            <nav>\(nav)</nav>
            </header>
            <main>
            \(body)
            </main>
            </body>
            </html>

            """
    }

    /// `2026-11-29 04:01 UTC`.
    static func timestamp(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm 'UTC'"
        return formatter.string(from: date)
    }
}

/// Every task of the latest run in a table (inside `<details>`, so it folds without script).
enum TasksTable {
    static func html(_ snapshot: ReportSnapshot) -> String {
        guard !snapshot.tasks.isEmpty else { return "" }
        let rows = snapshot.tasks.map { task -> [String] in
            let metrics = (task.metrics.objectValue ?? [:]).sorted { $0.key < $1.key }.compactMap { name, value in
                value.doubleValue.map { "\(name)=\(HTML.metric($0))" }
            }.joined(separator: " ")
            return [task.stage, task.task, task.status.rawValue, task.seconds.map(HTML.duration) ?? "", metrics]
        }
        return "<details class=\"tasks\"><summary>All \(snapshot.tasks.count) tasks of the latest run</summary>\n"
            + HTML.table(header: ["stage", "task", "status", "time", "metrics"], rows: rows) + "\n</details>\n"
    }
}
