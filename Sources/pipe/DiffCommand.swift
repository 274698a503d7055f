import ArgumentParser
import Foundation
import PipeCache
import PipeCore
import PipeEngine
import PipeSpec

/// `pipe diff A B`: params that differ, stages whose keys differ and why,
/// and the metrics each side's tasks have recorded, side by side.
struct DiffCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff", abstract: "Compare two pipeline versions: params, affected stages, metrics.",
        discussion: "Either side may be FILE@REV to read the spec (and its extends chain) at a git revision.")

    @Argument(help: "The first spec (FILE or FILE@REV).") var a: String
    @Argument(help: "The second spec (FILE or FILE@REV).") var b: String
    @Option(help: "The cache directory holding run history.") var cache: String?
    @Flag(help: "Print one JSON object.") var json = false

    func run() async throws {
        let specA = try load(a), specB = try load(b)
        let comparison = SpecComparison(specA, specB)
        let metrics = try await metricRows(specA, specB)
        if json {
            print(JSONValue.object([
                "a": .string(specA.name), "b": .string(specB.name),
                "params": .array(comparison.paramChanges.map(\.json)),
                "stages": .array(comparison.changedStages.map {
                    .object(["stage": .string($0.stage), "reasons": .array($0.reasons.map(JSONValue.string))])
                }),
                "unchanged": .array(comparison.unchangedStages.map(JSONValue.string)),
                "metrics": .array(metrics.map { row in
                    .object(["task": .string(row.task), "metric": .string(row.metric),
                             "a": row.a.map(JSONValue.double) ?? .null, "b": row.b.map(JSONValue.double) ?? .null,
                             "a_ran": .bool(row.aRan), "b_ran": .bool(row.bRan)])
                }),
            ]).prettyString)
            return
        }
        printText(comparison, metrics: metrics, a: specA.name, b: specB.name)
    }

    func load(_ argument: String) throws -> PipelineSpec {
        let (path, revision) = GitSpecReader.split(argument)
        let reader = revision.map(GitSpecReader.reader(revision:)) ?? .disk
        do {
            return try SpecLoader(registry: KindCatalog.registry, reader: reader).load(file: URL(fileURLWithPath: path))
        } catch let diagnostics as Diagnostics {
            throw DiagnosticRendering.report(diagnostics)
        } catch {
            throw Failure.usage("cannot read '\(argument)': \(error)")
        }
    }

    struct MetricRow {
        var task: String
        var metric: String
        /// The metric on each side; nil when that side's task has not run or lacks it.
        var a: Double?
        var b: Double?
        /// Whether the key each side gives the task has a recorded result on this cache.
        var aRan: Bool
        var bRan: Bool
    }

    /// Metrics of the results recorded for each side's own task keys, matched
    /// by task and name (`pipe plan` of each side finds the keys; a task whose
    /// key has not run, or cannot be known yet, shows as not run).
    func metricRows(_ a: PipelineSpec, _ b: PipelineSpec) async throws -> [MetricRow] {
        let root = Cache.locate(explicit: cache, from: FileManager.default.currentDirectoryPath)
        guard FileManager.default.fileExists(atPath: "\(root)/pipe.db") else { return [] }
        let cache = try Cache(root: root)
        let left = try await recordedMetrics(of: a, cache: cache), right = try await recordedMetrics(of: b, cache: cache)
        var rows: [MetricRow] = []
        var tasks = right.map(\.task)
        tasks += left.map(\.task).filter { !tasks.contains($0) }
        let leftByTask = Dictionary(left.map { ($0.task, $0.metrics) }, uniquingKeysWith: { x, _ in x })
        let rightByTask = Dictionary(right.map { ($0.task, $0.metrics) }, uniquingKeysWith: { x, _ in x })
        for task in tasks {
            let x = leftByTask[task] ?? nil, y = rightByTask[task] ?? nil
            for name in Set(x?.keys.map { $0 } ?? []).union(y?.keys.map { $0 } ?? []).sorted() {
                rows.append(MetricRow(task: task, metric: name, a: x?[name], b: y?[name], aRan: x != nil, bRan: y != nil))
            }
        }
        return rows
    }

    /// Each task of `spec` in graph order with the metrics recorded for its
    /// current key, or nil when that key has no result on this cache.
    func recordedMetrics(of spec: PipelineSpec, cache: Cache) async throws -> [(task: String, metrics: [String: Double]?)] {
        let options = EngineOptions(jobs: 1, planOnly: true, outputsRoot: cache.workspace, pipeVersion: PipeVersion.string)
        let report = try await Engine(spec: spec, cache: cache, registry: KindCatalog.stages, options: options).execute()
        return report.tasks.map { task in
            (task.task, task.status == .cached ? (task.metrics.objectValue ?? [:]).compactMapValues(\.doubleValue) : nil)
        }
    }

    func printText(_ comparison: SpecComparison, metrics: [MetricRow], a: String, b: String) {
        print("params (\(a) -> \(b)):")
        if comparison.paramChanges.isEmpty { print("  (none differ)") }
        for change in comparison.paramChanges {
            print("  \(change.scope).\(change.path): \(change.old?.display ?? "(unset)") -> \(change.new?.display ?? "(unset)")")
        }
        print("\nstages whose results differ:")
        if comparison.changedStages.isEmpty { print("  (none)") }
        for change in comparison.changedStages {
            print("  \(change.stage): \(change.reasons.joined(separator: "; "))")
        }
        if !comparison.unchangedStages.isEmpty {
            print("unchanged (shared from the cache): \(comparison.unchangedStages.joined(separator: ", "))")
        }
        guard !metrics.isEmpty else {
            print("\nmetrics: run both versions to compare them")
            return
        }
        var rows = [["task", "metric", a, b, "delta"]]
        func cell(_ value: Double?, ran: Bool) -> String {
            ran ? value.map { String(format: "%.4f", $0) } ?? "-" : "not run"
        }
        for row in metrics {
            let delta = (row.a != nil && row.b != nil) ? String(format: "%+.4f", row.b! - row.a!) : ""
            rows.append([row.task, row.metric, cell(row.a, ran: row.aRan), cell(row.b, ran: row.bRan), delta])
        }
        print("\nmetrics (the results recorded for each side's task keys):")
        print(StageTable.render(rows).split(separator: "\n").map { "  \($0)" }.joined(separator: "\n"))
    }
}
