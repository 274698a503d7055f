import ArgumentParser
import Foundation

/// `pipe-bench scale`: how a runner's overhead grows with the task count. For
/// each N, N tiny fan-out tasks plus a gather (`ScaleWorkspace`): plan on an
/// empty cache, cold run, no-op rerun (median), and a one-item change, with
/// wall time and peak RSS, for pipe and, where installed, Snakemake and DVC
/// (`foreach`, up to `--dvc-max`). A tool whose cold run exceeds `--budget`
/// is not tried at larger N. Prints a table, the growth exponent of each case
/// (log-log slope between the two largest N), the process-spawn floor, and
/// writes a log-log plot (`--plot`, SVG).
struct ScaleBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scale", abstract: "Runner overhead vs task count: pipe vs Snakemake and DVC, with a log-log plot.")

    @Option(help: "Task counts, comma-separated.") var sizes = "100,1000,10000,100000"
    @Option(help: "Repetitions of the no-op rerun.") var repeats = 3
    @Option(help: "Largest N tried with DVC (its foreach grows steeply).") var dvcMax = 1000
    @Option(help: "Seconds a cold run may take before larger N are skipped for that tool.") var budget = 600.0
    @Option(help: "Where to build the workspaces (default: a temp dir).") var workspace: String?
    @Option(help: "Directory holding dvc and snakemake executables (default: PATH).") var toolsBin: String?
    @Option(help: "Write the log-log plot here (SVG).") var plot: String?
    @Option(help: "Tools to measure, comma-separated.") var tools = "pipe,snakemake,dvc"
    @Option(help: "A TSV of points: earlier points are read from it (and plotted), new ones added.") var data: String?

    func validate() throws {
        guard !counts.isEmpty, counts.allSatisfy({ $0 >= 2 }) else {
            throw ValidationError("--sizes takes task counts of at least 2, comma-separated (e.g. 100,1000)")
        }
    }

    var counts: [Int] { sizes.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) } }

    func run() throws {
        let root = workspace ?? NSTemporaryDirectory() + "pipe-bench-scale-\(getpid())"
        defer { if workspace == nil { try? FileManager.default.removeItem(atPath: root) } }
        let jobs = ProcessInfo.processInfo.activeProcessorCount
        let wanted = Set(tools.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
        var points = try data.map(ScalePoint.read) ?? []
        for tool in [BenchTool.pipe(executable: siblingExecutable("pipe")), .snakemake(bin: toolsBin), .dvc(bin: toolsBin)]
        where wanted.contains(tool.name) {
            guard tool.isAvailable else {
                print("\(tool.name): not installed; skipped (pip install snakemake dvc to compare)")
                continue
            }
            for count in counts {
                if case .dvc = tool, count > dvcMax { break }
                points.removeAll { $0.tool == tool.name && $0.count == count }
                print("\(tool.name) N=\(count)…")
                let point = try measure(tool, count: count, in: "\(root)/\(tool.name)-\(count)")
                points.append(point)
                print(ScaleTable.line(point))
                try? FileManager.default.removeItem(atPath: "\(root)/\(tool.name)-\(count)")
                if point.cold.seconds > budget { print("\(tool.name): cold run over \(budget) s; larger N skipped"); break }
            }
        }
        var floors: [Int: Double] = [:]
        for count in counts {
            floors[count] = try ChildMeasurement.spawnFloor(count: count, jobs: jobs, scratch: "\(root)/floor-\(count)")
            try? FileManager.default.removeItem(atPath: "\(root)/floor-\(count)")
        }
        if let data { try ScalePoint.write(points, to: data) }
        print("\n" + ScaleTable.markdown(points, floors: floors, jobs: jobs))
        if let plot {
            try ScalePlot(points: points).svg.write(toFile: plot, atomically: true, encoding: .utf8)
            print("plot: \(plot)")
        }
    }

    func measure(_ tool: BenchTool, count: Int, in directory: String) throws -> ScalePoint {
        let bench = ScaleWorkspace(tool: tool, directory: directory, count: count)
        try bench.create(last: "\(count - 1)")
        let plan = try ChildMeasurement.of(bench.command(plan: true), in: directory)
        let cold = try ChildMeasurement.of(bench.command(plan: false), in: directory)
        var noops: [ChildMeasurement] = []
        for _ in 0..<max(1, repeats) { noops.append(try ChildMeasurement.of(bench.command(plan: false), in: directory)) }
        try bench.write(last: "changed")
        let change = try ChildMeasurement.of(bench.command(plan: false), in: directory)
        let noop = noops.sorted { $0.seconds < $1.seconds }[noops.count / 2]
        return ScalePoint(tool: tool.name, count: count, plan: plan, cold: cold, noop: noop, change: change)
    }
}

/// One tool at one N.
struct ScalePoint {
    var tool: String
    var count: Int
    var plan: ChildMeasurement
    var cold: ChildMeasurement
    var noop: ChildMeasurement
    var change: ChildMeasurement

    /// The four cases by name, in table order.
    var cases: [(String, ChildMeasurement)] { [("plan", plan), ("cold", cold), ("no-op", noop), ("change", change)] }
}

extension ScalePoint {
    /// Points saved by `write`; none when the file does not exist.
    static func read(_ path: String) throws -> [ScalePoint] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [] }
        return try text.split(separator: "\n").dropFirst().map { line in
            let fields = line.split(separator: "\t").map(String.init)
            let numbers = fields.dropFirst(2).compactMap(Double.init)
            guard fields.count == 10, numbers.count == 8, let count = Int(fields[1]) else {
                throw ValidationErrorText("\(path): cannot read the line '\(line)'; expected tool, N and 8 numbers")
            }
            let cases = stride(from: 0, to: 8, by: 2).map { ChildMeasurement(seconds: numbers[$0], peakRSS: numbers[$0 + 1]) }
            return ScalePoint(tool: fields[0], count: count, plan: cases[0], cold: cases[1], noop: cases[2], change: cases[3])
        }
    }

    /// Saves `points` as TSV: tool, N, then seconds and peak RSS bytes of plan, cold, no-op and change.
    static func write(_ points: [ScalePoint], to path: String) throws {
        var lines = ["tool\tN\tplan_s\tplan_rss\tcold_s\tcold_rss\tnoop_s\tnoop_rss\tchange_s\tchange_rss"]
        for point in points {
            lines.append(([point.tool, "\(point.count)"] + point.cases.flatMap { ["\($0.1.seconds)", "\($0.1.peakRSS)"] })
                .joined(separator: "\t"))
        }
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
    }
}
