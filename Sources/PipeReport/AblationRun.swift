import Foundation
import PipeCache
import PipeCore
import PipeEngine
import PipeSpec
import PipeStages

/// Runs an ablation's versions, each with its training seeds, through the
/// engine (so everything they share comes from the cache) and reads each
/// run's score: the chosen metric and its per-image values.
public struct AblationRun: Sendable {
    public var ablation: Ablation
    public var metric: MetricDeclaration
    /// Training seeds per version; 1 runs each version's own seed only.
    public var seeds: Int
    /// Where the training seed is (`train.seed`): with `seeds` N, seeds
    /// s, s+1, ..., s+N-1 from the version's own s, each a derived version `NAME_seedS`.
    public var seedPath: String

    public init(_ ablation: Ablation, metric: MetricDeclaration, seeds: Int = 1, seedPath: String = SeedNoise.defaultPath) {
        self.ablation = ablation
        self.metric = metric
        self.seeds = seeds
        self.seedPath = seedPath
    }

    /// One run: a version of the ablation at one seed.
    public struct Entry: Sendable {
        /// Index into `ablation.versions`.
        public var version: Int
        public var spec: Ablation.Version
        public var seed: Int?
    }

    /// Every run, version by version, its own seed first.
    public func entries(kinds: StageRegistry) throws -> [Entry] {
        try ablation.versions.enumerated().flatMap { index, version -> [Entry] in
            guard seeds > 1 else { return [Entry(version: index, spec: version, seed: nil)] }
            let loaded = try version.load(kinds: kinds)
            guard let own = Self.value(at: seedPath, in: loaded.resolved)?.intValue else {
                throw AblationError("--seeds needs an integer seed at '\(seedPath)' in '\(version.name)'; "
                                    + "name where the training seed is with --seed-path STAGE.FIELD")
            }
            guard own <= Int.max - seeds else {
                throw AblationError("the seed \(own) at '\(seedPath)' in '\(version.name)' leaves no room for \(seeds) seeds above it")
            }
            return [Entry(version: index, spec: version, seed: own)] + (1..<seeds).map {
                Entry(version: index, spec: version.seeded(own + $0, path: seedPath, directory: ablation.directory), seed: own + $0)
            }
        }
    }

    /// The value at a dotted path of a resolved spec (`params.x`, `data.x`, `STAGE.FIELD`).
    static func value(at path: String, in resolved: JSONValue) -> JSONValue? {
        resolved.value(at: AblationSpecFile.keys(of: path))
    }

    /// Runs every entry in order, each up to the stage that reports the
    /// metric (what comes after it, such as inference and submission, cannot
    /// change the score); `finished` hears each run's report. Throws when a
    /// run fails or does not report the metric.
    public func execute(cache: Cache, kinds: StageRegistry, options: EngineOptions, observer: (any EngineObserver)? = nil,
                        finished: (Entry, RunReport) -> Void = { _, _ in }) async throws -> [VersionScore] {
        var scores = ablation.versions.map { VersionScore(version: $0.name) }
        for entry in try entries(kinds: kinds) {
            let spec = try entry.spec.load(kinds: kinds)
            var options = options
            options.until = options.until ?? Self.reportingStage(of: spec, metric: metric, kinds: kinds)
            let report = try await Engine(spec: spec, cache: cache, registry: kinds, options: options, observer: observer).execute()
            finished(entry, report)
            guard !report.failed else {
                let failed = report.tasks.first { $0.status == .failed }
                throw AblationError("version '\(entry.spec.name)' failed"
                                    + (failed.map { ": \($0.task): \($0.error ?? "failed")" } ?? "")
                                    + " (its spec: \(entry.spec.file.path))")
            }
            guard let score = Self.score(of: report, metric: metric, cache: cache) else {
                throw AblationError("version '\(entry.spec.name)' reports no metric '\(metric.name)'; choose one with --metric")
            }
            scores[entry.version].add(score.value, units: score.units, seed: entry.seed)
        }
        return scores
    }

    /// The last stage whose kind declares `metric`; nil when none does (then everything runs).
    public static func reportingStage(of spec: PipelineSpec, metric: MetricDeclaration, kinds: StageRegistry) -> String? {
        spec.stages.last { kinds.stages[$0.kind]?.declaredMetrics.contains { $0.name == metric.name } == true }?.name
    }

    /// The largest per-image score file read (a command stage's is whatever its command wrote).
    static let maxUnitsFileBytes: Int64 = 16 << 20

    /// The metric from the last whole-stage task reporting it, and its
    /// per-image values from the file the metric's declaration names (empty without one).
    public static func score(of report: RunReport, metric: MetricDeclaration,
                             cache: Cache) -> (value: Double, units: [String: Double])? {
        guard let task = report.tasks.last(where: { !$0.task.contains("[") && $0.metrics[metric.name]?.doubleValue != nil }),
              let value = task.metrics[metric.name]?.doubleValue else { return nil }
        guard let declared = metric.units, let output = task.output,
              let entry = cache.objects.manifest(output)?.entries.first(where: { $0.path == declared.file }),
              entry.size <= maxUnitsFileBytes, let data = try? cache.objects.get(entry.digest),
              let json = try? JSONValue(parsing: data) else { return (value, [:]) }
        return (value, units(in: json, declared))
    }

    /// `{"LIST": [{"id": ..., "VALUE": number}, ...]}` as id -> value; entries without both are skipped.
    static func units(in json: JSONValue, _ declared: MetricDeclaration.Units) -> [String: Double] {
        var result: [String: Double] = [:]
        for item in json[declared.list]?.arrayValue ?? [] {
            guard let id = item["id"], let value = item[declared.value]?.doubleValue else { continue }
            result[id.display] = value
        }
        return result
    }
}

/// One version's score over its seeds: the metric per run and per-image values averaged over runs.
public struct VersionScore: Sendable {
    public var version: String
    /// The metric of each run (one per seed).
    public var values: [Double] = []
    /// The seeds run; empty when only the version's own seed ran.
    public var seeds: [Int] = []
    /// Per image, the mean over runs (images every run reported).
    public var units: [String: Double] = [:]

    public init(version: String, values: [Double] = [], seeds: [Int] = [], units: [String: Double] = [:]) {
        self.version = version
        self.values = values
        self.seeds = seeds
        self.units = units
    }

    /// The mean metric over runs.
    public var value: Double { values.isEmpty ? .nan : values.reduce(0, +) / Double(values.count) }

    /// The seed noise: the sample standard deviation of the metric over
    /// runs with different seeds; nil with fewer than two.
    public var noise: Double? { Self.standardDeviation(values) }

    mutating func add(_ value: Double, units more: [String: Double], seed: Int?) {
        let runs = Double(values.count)
        if values.isEmpty {
            units = more
        } else {
            var merged: [String: Double] = [:]
            for (id, mean) in units { if let new = more[id] { merged[id] = (mean * runs + new) / (runs + 1) } }
            units = merged
        }
        values.append(value)
        if let seed { seeds.append(seed) }
    }

    /// Sample standard deviation (n − 1); nil for fewer than two values.
    public static func standardDeviation(_ values: [Double]) -> Double? {
        guard values.count >= 2 else { return nil }
        let mean = values.reduce(0, +) / Double(values.count)
        return (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count - 1)).squareRoot()
    }
}
