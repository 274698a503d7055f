import Foundation

/// The text `pipe-bench scale` prints: one line per measured point while it
/// runs, then a Markdown table (the README's) with growth exponents and the
/// spawn floor.
enum ScaleTable {
    static func line(_ point: ScalePoint) -> String {
        point.cases.map { name, measurement in "\(name) \(seconds(measurement.seconds)) (\(megabytes(measurement.peakRSS)))" }
            .joined(separator: ", ")
    }

    static func markdown(_ points: [ScalePoint], floors: [Int: Double], jobs: Int) -> String {
        var lines = ["| tool | N | plan | cold | no-op (median) | one-item change | peak RSS | cold / spawn floor |",
                     "|---|---|---|---|---|---|---|---|"]
        for point in points {
            let peak = point.cases.map(\.1.peakRSS).max() ?? 0
            let floor = floors[point.count].map { String(format: "%.1fx", point.cold.seconds / $0) } ?? ""
            lines.append("| \(point.tool) | \(point.count) | \(seconds(point.plan.seconds)) | \(seconds(point.cold.seconds)) | "
                         + "\(seconds(point.noop.seconds)) | \(seconds(point.change.seconds)) | \(megabytes(peak)) | \(floor) |")
        }
        lines.append("")
        lines.append("Growth exponent (log-log slope between the two largest N measured; 1 = linear):")
        for tool in uniqueTools(points) {
            let mine = points.filter { $0.tool == tool }.sorted { $0.count < $1.count }
            guard mine.count >= 2 else { continue }
            let (a, b) = (mine[mine.count - 2], mine[mine.count - 1])
            let slopes = zip(a.cases, b.cases).map { first, second in
                "\(first.0) \(String(format: "%.2f", exponent(a.count, first.1.seconds, b.count, second.1.seconds)))"
            }
            lines.append("- \(tool) (N \(a.count) -> \(b.count)): " + slopes.joined(separator: ", "))
        }
        let floorText = floors.keys.sorted().map { "N=\($0): \(seconds(floors[$0]!))" }.joined(separator: ", ")
        lines.append("")
        lines.append("Spawn floor (`sh -c 'echo i > file'` N times, \(jobs) at a time): \(floorText)")
        return lines.joined(separator: "\n")
    }

    static func exponent(_ n1: Int, _ t1: Double, _ n2: Int, _ t2: Double) -> Double {
        log(t2 / t1) / log(Double(n2) / Double(n1))
    }

    static func uniqueTools(_ points: [ScalePoint]) -> [String] {
        var seen: [String] = []
        for point in points where !seen.contains(point.tool) { seen.append(point.tool) }
        return seen
    }

    static func seconds(_ value: Double) -> String {
        value < 1 ? String(format: "%.0f ms", value * 1000) : String(format: "%.2f s", value)
    }

    static func megabytes(_ bytes: Double) -> String { String(format: "%.0f MB", bytes / 1_048_576) }
}
