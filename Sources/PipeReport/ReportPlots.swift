import Foundation
import Imaging

/// The page's metric plots as PNG files (`report-files/*.png` beside the
/// page), for pasting into notes: per curve stage `STAGE-loss.png`,
/// `STAGE-dice.png`, `STAGE-lr.png`; per sweep `TASK-sweep.png`; and
/// `versions-cv-lb.png`. The HTML never links to them: it stays self-contained.
public enum ReportPlots {
    /// The charts to write, by file name.
    static func charts(_ snapshot: ReportSnapshot) -> [(name: String, chart: LineChart)] {
        var result: [(name: String, chart: LineChart)] = []
        for (stage, curves) in CurvesSection.curves(snapshot) {
            let charts = CurvesSection.charts(curves)
            for (suffix, chart) in zip(["loss", "dice", "lr"], charts) { result.append(("\(fileName(stage))-\(suffix).png", chart)) }
        }
        for (task, sweep) in SweepSection.sweeps(snapshot) {
            result.append(("\(fileName(task))-sweep.png", SweepSection.chart(task, sweep)))
        }
        if let versions = VersionsSection.lineChart(snapshot.versions) { result.append(("versions-cv-lb.png", versions)) }
        return result
    }

    /// Writes every plot into `directory` (created when needed); returns the paths written.
    public static func write(_ snapshot: ReportSnapshot, to directory: String) throws -> [String] {
        let charts = charts(snapshot)
        guard !charts.isEmpty else { return [] }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        return try charts.map { name, chart in
            let path = "\(directory)/\(name)"
            try PNGFile.write(PlotRaster.render(chart), path: path)
            return path
        }
    }

    /// `train[0]` -> `train-0`: letters, digits, `-`, `_` and `.` kept, anything else a dash.
    static func fileName(_ name: String) -> String {
        let mapped = name.map { $0.isLetter || $0.isNumber || "-_.".contains($0) ? $0 : "-" }
        return String(mapped).split(separator: "-", omittingEmptySubsequences: true).joined(separator: "-")
    }
}
