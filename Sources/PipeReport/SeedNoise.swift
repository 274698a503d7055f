import Foundation
import PipeCache
import PipeCore
import PipeEngine
import PipeSpec
import PipeStages

/// How much a version's metrics move when only the training seed changes,
/// from the seed runs on this cache (`pipe ablate --seeds N` makes them):
/// the version at its own seed s, then at s+1, s+2, ... for as long as the
/// cache holds their results (each looked up by its key, as `pipe plan` would).
public enum SeedNoise {
    /// Where the training seed is unless told otherwise.
    public static let defaultPath = "train.seed"
    /// Seeds looked up at most.
    public static let maxSeeds = 64
    /// How many noise SDs a difference spans at 95% (normal).
    public static let z95 = 1.96

    /// Per task, per metric: the values at the other seeds found (the version's
    /// own seed excluded), from the tasks whose key the seed changes (not the
    /// shared tiling); empty when the spec has no integer seed at `path` or no seed run.
    static func otherSeeds(of spec: PipelineSpec, path: String = defaultPath, kinds: StageRegistry,
                           cache: Cache) async throws -> [String: [String: [Double]]] {
        guard let seed = AblationRun.value(at: path, in: spec.resolved)?.intValue, seed <= Int.max - maxSeeds,
              // Seed runs are named as `pipe ablate --seeds` names them; none of the next seed, nothing to plan.
              try !cache.database.runs(pipeline: "\(spec.name)_seed\(seed + 1)", limit: 1).isEmpty else { return [:] }
        let own = Dictionary(try await planned(spec, kinds: kinds, cache: cache).map { ($0.task, $0.key) },
                             uniquingKeysWith: { x, _ in x })
        let version = Ablation.Version(name: spec.name, on: [], file: spec.file, base: spec.file)
        var result: [String: [String: [Double]]] = [:]
        for offset in 1..<maxSeeds {
            let seeded = version.seeded(seed + offset, path: path, directory: spec.file.deletingLastPathComponent())
            // Read from disk: a spec read at a git revision whose file now differs gets no noise.
            guard let variant = try? seeded.load(kinds: kinds),
                  ValueChange.between(spec.resolved, variant.resolved).map(\.path) == [path] else { break }
            let seedDependent = try await planned(variant, kinds: kinds, cache: cache).filter { $0.key == nil || $0.key != own[$0.task] ?? nil }
            guard seedDependent.contains(where: { $0.status == .cached }) else { break }
            for task in seedDependent where task.status == .cached {
                for (name, value) in task.metrics.objectValue ?? [:] {
                    if let number = value.doubleValue { result[task.task, default: [:]][name, default: []].append(number) }
                }
            }
        }
        return result
    }

    /// `spec`'s tasks as `pipe plan` finds them on `cache`.
    static func planned(_ spec: PipelineSpec, kinds: StageRegistry, cache: Cache) async throws -> [TaskReport] {
        let options = EngineOptions(jobs: 1, planOnly: true, outputsRoot: cache.workspace, pipeVersion: "diff")
        return try await Engine(spec: spec, cache: cache, registry: kinds, options: options).execute().tasks
    }

    /// The standard deviation of a difference between one run of each side:
    /// sqrt(sA² + sB²) from each side's values over seeds (own seed
    /// included); a side without seed runs is taken to be as noisy as the
    /// other. Nil when neither side has two values.
    static func ofDifference(_ a: [Double], _ b: [Double]) -> Double? {
        let sa = VersionScore.standardDeviation(a), sb = VersionScore.standardDeviation(b)
        guard let x = sa ?? sb, let y = sb ?? sa else { return nil }
        return (x * x + y * y).squareRoot()
    }
}
