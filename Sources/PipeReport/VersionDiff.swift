import Foundation
import PipeCache
import PipeCore
import PipeEngine
import PipeSpec
import PipeStages

/// `pipe diff A B`: the values that differ, the stages whose results differ
/// and why (`SpecComparison`), and the metrics each side's tasks have
/// recorded on this cache, side by side; as text and as JSON.
public struct VersionDiff: Sendable {
    public struct MetricRow: Sendable {
        public var task: String
        public var metric: String
        /// The metric on each side (a number); nil when that side's task has not run or lacks it.
        public var a: JSONValue?
        public var b: JSONValue?
        /// Whether the key each side gives the task has a recorded result on this cache.
        public var aRan: Bool
        public var bRan: Bool
        /// The seed noise of `b - a` (its standard deviation, `SeedNoise.ofDifference`)
        /// when either side has seed runs on this cache; nil otherwise.
        public var noise: Double?

        public init(task: String, metric: String, a: JSONValue?, b: JSONValue?, aRan: Bool, bRan: Bool, noise: Double? = nil) {
            self.task = task
            self.metric = metric
            self.a = a
            self.b = b
            self.aRan = aRan
            self.bRan = bRan
            self.noise = noise
        }

        /// Whether |b - a| is under 1.96 noise SDs: not told apart from a seed change at 95%.
        public var withinNoise: Bool? {
            guard let noise, noise > 0, let x = a?.doubleValue, let y = b?.doubleValue else { return nil }
            return abs(y - x) < SeedNoise.z95 * noise
        }
    }

    public var a: String
    public var b: String
    public var comparison: SpecComparison
    public var metrics: [MetricRow]
    /// How metrics print (the kinds' declarations); an undeclared metric prints as a plain number.
    public var declared: [MetricDeclaration]

    public init(a: String, b: String, comparison: SpecComparison, metrics: [MetricRow], declared: [MetricDeclaration]) {
        self.a = a
        self.b = b
        self.comparison = comparison
        self.metrics = metrics
        self.declared = declared
    }

    /// Compares `a` and `b`; with a cache, also the metrics recorded for each
    /// side's task keys, with their seed noise when seed runs are there (`SeedNoise`).
    public init(_ a: PipelineSpec, _ b: PipelineSpec, kinds: StageRegistry, cache: Cache?,
                seedPath: String = SeedNoise.defaultPath) async throws {
        var rows: [MetricRow] = []
        if let cache {
            let left = try await Self.recordedMetrics(of: a, kinds: kinds, cache: cache)
            let right = try await Self.recordedMetrics(of: b, kinds: kinds, cache: cache)
            rows = Self.matched(left, right)
            let seedsA = try await SeedNoise.otherSeeds(of: a, path: seedPath, kinds: kinds, cache: cache)
            let seedsB = try await SeedNoise.otherSeeds(of: b, path: seedPath, kinds: kinds, cache: cache)
            for index in rows.indices {
                let row = rows[index]
                func values(_ own: JSONValue?, _ seeds: [String: [String: [Double]]]) -> [Double] {
                    (own?.doubleValue).map { [$0] + (seeds[row.task]?[row.metric] ?? []) } ?? []
                }
                rows[index].noise = SeedNoise.ofDifference(values(row.a, seedsA), values(row.b, seedsB))
            }
        }
        self.init(a: a.name, b: b.name, comparison: SpecComparison(a, b, registry: kinds), metrics: rows,
                  declared: kinds.declaredMetrics)
    }

    /// Each task of `spec` in graph order with the numeric metrics recorded
    /// for its current key (what `pipe plan` finds), or nil when that key has
    /// no result on this cache or cannot be known yet.
    static func recordedMetrics(of spec: PipelineSpec, kinds: StageRegistry,
                                cache: Cache) async throws -> [(task: String, metrics: [String: JSONValue]?)] {
        let options = EngineOptions(jobs: 1, planOnly: true, outputsRoot: cache.workspace, pipeVersion: "diff")
        let report = try await Engine(spec: spec, cache: cache, registry: kinds, options: options).execute()
        return report.tasks.map { task in
            (task.task, task.status == .cached ? (task.metrics.objectValue ?? [:]).filter { $0.value.doubleValue != nil } : nil)
        }
    }

    /// Rows matched by task (B's order, then tasks only A has) and metric name.
    static func matched(_ left: [(task: String, metrics: [String: JSONValue]?)],
                        _ right: [(task: String, metrics: [String: JSONValue]?)]) -> [MetricRow] {
        var tasks = right.map(\.task)
        tasks += left.map(\.task).filter { !tasks.contains($0) }
        let leftByTask = Dictionary(left.map { ($0.task, $0.metrics) }, uniquingKeysWith: { x, _ in x })
        let rightByTask = Dictionary(right.map { ($0.task, $0.metrics) }, uniquingKeysWith: { x, _ in x })
        var rows: [MetricRow] = []
        for task in tasks {
            let x = leftByTask[task] ?? nil, y = rightByTask[task] ?? nil
            for name in Set(x.map { Array($0.keys) } ?? []).union(y.map { Array($0.keys) } ?? []).sorted() {
                rows.append(MetricRow(task: task, metric: name, a: x?[name], b: y?[name], aRan: x != nil, bRan: y != nil))
            }
        }
        return rows
    }

    /// The text `pipe diff` prints.
    public var text: String {
        var lines = ["params (\(a) -> \(b)):"]
        if comparison.valueChanges.isEmpty { lines.append("  (none differ)") }
        lines += comparison.valueChanges.map { "  \($0.text)" }
        lines += ["", "stages whose results differ:"]
        if comparison.changedStages.isEmpty { lines.append("  (none)") }
        lines += comparison.changedStages.map {
            "  \($0.stage): \($0.reasons.joined(separator: "; "))" + ($0.reruns ? "" : " (nothing reruns)")
        }
        if !comparison.unchangedStages.isEmpty {
            lines.append("unchanged (shared from the cache): \(comparison.unchangedStages.joined(separator: ", "))")
        }
        guard !metrics.isEmpty else { return (lines + ["", "metrics: run both versions to compare them"]).joined(separator: "\n") }
        var rows = [["task", "metric", a, b, "delta"]]
        for row in metrics {
            let format = declared.named(row.metric)?.format ?? .number
            func cell(_ value: JSONValue?, ran: Bool) -> String {
                ran ? value.map { MetricDeclaration.text($0, format: format) } ?? "-" : "not run"
            }
            var delta = row.a.flatMap { a in row.b.flatMap { MetricDeclaration.delta(from: a, to: $0, format: format) } } ?? ""
            if let within = row.withinNoise, let noise = row.noise {
                let band = MetricDeclaration.text(.double(SeedNoise.z95 * noise), format: format)
                delta += within ? " (within seed noise, ±\(band))" : " (beyond seed noise, ±\(band))"
            }
            rows.append([row.task, row.metric, cell(row.a, ran: row.aRan), cell(row.b, ran: row.bRan), delta])
        }
        lines += ["", "metrics (the results recorded for each side's task keys):"]
        lines += TextTable.render(rows).split(separator: "\n").map { "  \($0)" }
        return lines.joined(separator: "\n")
    }

    /// The object `pipe diff --json` prints.
    public var json: JSONValue {
        .object([
            "a": .string(a), "b": .string(b),
            "params": .array(comparison.valueChanges.map(\.json)),
            "stages": .array(comparison.changedStages.map {
                .object(["stage": .string($0.stage), "reasons": .array($0.reasons.map(JSONValue.string)),
                         "reruns": .bool($0.reruns)])
            }),
            "unchanged": .array(comparison.unchangedStages.map(JSONValue.string)),
            "metrics": .array(metrics.map { row in
                var fields: [String: JSONValue] = [
                    "task": .string(row.task), "metric": .string(row.metric), "a": row.a ?? .null, "b": row.b ?? .null,
                    "a_ran": .bool(row.aRan), "b_ran": .bool(row.bRan)]
                if let noise = row.noise, let within = row.withinNoise {
                    fields["noise"] = .double(noise)
                    fields["within_noise"] = .bool(within)
                }
                return .object(fields)
            }),
        ])
    }
}
