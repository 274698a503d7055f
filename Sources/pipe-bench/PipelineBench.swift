import ArgumentParser
import Foundation

/// `pipe-bench pipeline`: a six-stage command pipeline over 1 GB of input
/// (20 files of 50 MB): cold run, no-op rerun, and rerun after one
/// mid-pipeline param change, for pipe and, when installed, DVC and Snakemake
/// on the same pipeline, with medians and ratios from one session.
struct PipelineBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pipeline", abstract: "No-op and incremental rerun times of pipe vs DVC and Snakemake.")

    @Option(help: "Input files.") var files = 20
    @Option(help: "Size of each input file in MB.") var megabytes = 50
    @Option(help: "Repetitions of each timed rerun.") var repeats = 7
    @Option(help: "Where to build the workspace (default: a temp dir).") var workspace: String?
    @Option(help: "Directory holding dvc and snakemake executables (default: PATH).") var toolsBin: String?

    func run() throws {
        let root = workspace ?? NSTemporaryDirectory() + "pipe-bench-\(getpid())"
        let bench = BenchWorkspace(root: root, files: files, megabytes: megabytes)
        try bench.create()
        defer { if workspace == nil { try? FileManager.default.removeItem(atPath: root) } }
        print("input: \(files) files x \(megabytes) MB in \(root)/data")
        var results: [ToolTiming] = []
        let pipe = BenchTool.pipe(executable: siblingExecutable("pipe"))
        results.append(try measure(pipe, in: bench))
        for tool in [BenchTool.dvc(bin: toolsBin), BenchTool.snakemake(bin: toolsBin)] {
            guard tool.isAvailable else {
                print("\(tool.name): not installed; skipped (pip install dvc snakemake to compare)")
                continue
            }
            results.append(try measure(tool, in: bench))
        }
        printTable(results)
    }

    func measure(_ tool: BenchTool, in bench: BenchWorkspace) throws -> ToolTiming {
        let directory = try bench.prepare(for: tool)
        print("\(tool.name): cold run…")
        let cold = try tool.time(.run(chunk: 1_000_000), in: directory)
        var noop: [Double] = []
        for _ in 0..<repeats { noop.append(try tool.time(.run(chunk: 1_000_000), in: directory)) }
        var change: [Double] = []
        for index in 0..<max(1, repeats / 2) {
            // A value never used before, so no tool can answer from a run cache.
            change.append(try tool.time(.run(chunk: 1_500_000 + 1000 * index), in: directory))
        }
        return ToolTiming(name: tool.name, cold: cold, noop: median(noop), change: median(change))
    }

    func printTable(_ results: [ToolTiming]) {
        guard let pipe = results.first else { return }
        print("\ntool        cold      no-op (median)  param change (median)  no-op vs pipe")
        for result in results {
            let ratio = result.noop / pipe.noop
            print(result.name.padding(toLength: 10, withPad: " ", startingAt: 0)
                  + String(format: "  %7.2fs  %12.1fms  %19.1fms  %10.1fx", result.cold, result.noop * 1000,
                           result.change * 1000, ratio))
        }
    }

}

/// The executable `name` next to this one (`pipe`, of the same build configuration).
func siblingExecutable(_ name: String) -> String {
    let me = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
    return me.deletingLastPathComponent().appendingPathComponent(name).path
}

struct ToolTiming {
    var name: String
    var cold: Double
    var noop: Double
    var change: Double
}

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    guard !sorted.isEmpty else { return .nan }
    return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
}
