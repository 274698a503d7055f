import ArgumentParser
import Foundation
import PipeCache
import PipeCore
import PipeEngine
import PipeSpec

/// `pipe diff A B`: params that differ, stages whose keys differ and why,
/// and metrics of both versions side by side when both have run.
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
        let metrics = try metricRows(specA.name, specB.name)
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
                             "a": row.a.map(JSONValue.double) ?? .null, "b": row.b.map(JSONValue.double) ?? .null])
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
        var a: Double?
        var b: Double?
    }

    /// Metrics of the latest run of each pipeline, matched by task and name.
    func metricRows(_ a: String, _ b: String) throws -> [MetricRow] {
        let root = Cache.locate(explicit: cache, from: FileManager.default.currentDirectoryPath)
        guard FileManager.default.fileExists(atPath: "\(root)/pipe.db") else { return [] }
        let database = try Cache(root: root).database
        func latest(_ pipeline: String) throws -> [String: [String: Double]] {
            guard let run = try database.runs(pipeline: pipeline, limit: 1).first else { return [:] }
            var result: [String: [String: Double]] = [:]
            for task in try database.tasks(ofRun: run.id) {
                result[task.task] = (task.metrics.objectValue ?? [:]).compactMapValues(\.doubleValue)
            }
            return result
        }
        let left = try latest(a), right = try latest(b)
        guard !left.isEmpty, !right.isEmpty else { return [] }
        var rows: [MetricRow] = []
        for task in Set(left.keys).union(right.keys).sorted() {
            let names = Set(left[task]?.keys ?? [:].keys).union(right[task]?.keys ?? [:].keys)
            for name in names.sorted() {
                rows.append(MetricRow(task: task, metric: name, a: left[task]?[name], b: right[task]?[name]))
            }
        }
        return rows
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
        for row in metrics {
            let delta = (row.a != nil && row.b != nil) ? String(format: "%+.4f", row.b! - row.a!) : ""
            rows.append([row.task, row.metric, row.a.map { String(format: "%.4f", $0) } ?? "-",
                         row.b.map { String(format: "%.4f", $0) } ?? "-", delta])
        }
        print("\nmetrics (latest runs):")
        print(StageTable.render(rows).split(separator: "\n").map { "  \($0)" }.joined(separator: "\n"))
    }
}
