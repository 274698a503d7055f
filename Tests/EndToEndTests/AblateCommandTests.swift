import Foundation
import PipeCore
import TestSupport
import Testing

/// `pipe ablate` as a user runs it, on command-stage stand-ins for v10 -> v11:
/// dry run, plan and budget guard, the effects table, seeds, and the seed
/// noise that `pipe diff`, `pipe log` and the report then show.
@Suite struct AblateCommandTests {
    let dir: TemporaryDirectory

    init() throws {
        dir = try TemporaryDirectory("pipe-ablate")
        try dir.write("v10.yaml", AblationStandIns.v10)
        try dir.write("v11.yaml", AblationStandIns.v11)
    }

    func pipe(_ arguments: String...) throws -> ProcessResult { try PipeBinary.run(arguments, in: dir.path) }

    @Test func dryRunShowsTheDerivedSpecsAndRunsNothing() throws {
        let result = try pipe("ablate", "v10.yaml", "v11.yaml", "--dry-run")
        #expect(result.status == 0)
        #expect(result.stdout.contains("  train.params.lr: train.params.lr 0.002 -> 0.006"))
        #expect(result.stdout.contains("pipeline: v10_with_lookahead"))
        #expect(!FileManager.default.fileExists(atPath: dir.file(".pipe/ablations").path))
    }

    @Test func planCountsTasksAndMaxTasksRefuses() throws {
        let plan = try pipe("ablate", "v10.yaml", "v11.yaml", "--plan")
        #expect(plan.status == 0)
        // prep once, then train and validate per version: 1 + 4 x 2 once prep's key is known.
        #expect(plan.stdout.contains("total"))
        let refused = try pipe("ablate", "v10.yaml", "v11.yaml", "--max-tasks", "2")
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("more than --max-tasks 2"))
    }

    @Test func ablatePrintsEffectsWithIntervalsAndVerdictsThenSeedNoiseReachesDiffAndLog() throws {
        let first = try pipe("ablate", "v10.yaml", "v11.yaml", "--json")
        #expect(first.status == 0, "\(first.stderr)")
        let json = try JSONValue(parsing: first.stdout)
        let effects = try #require(json["effects"]?.arrayValue)
        let lr = try #require(effects.first { $0["name"] == .string("train.params.lr") })
        #expect(lr["verdict"] == .string("helps") && abs(lr["estimate"]!.doubleValue! - 0.02) < 1e-9)
        let lookahead = try #require(effects.first { $0["name"] == .string("train.params.lookahead") })
        #expect(lookahead["verdict"] == .string("within noise at 95%"))
        #expect(FileManager.default.fileExists(atPath: dir.file(".pipe/ablations/v10-v11/v10_with_lr.yaml").path))
        #expect(FileManager.default.fileExists(atPath: dir.file(".pipe/ablations/v10-v11/effects.json").path))

        let text = try pipe("ablate", "v10.yaml", "v11.yaml", "--seeds", "3", "--seed-path", "train.params.seed")
        #expect(text.status == 0, "\(text.stderr)")
        // The versions at their own seed come from the cache; 2 more seeds each run.
        #expect(text.stdout.contains("v10: 0 tasks ran, 3 from the cache"))
        #expect(text.stdout.contains("v10_seed2022: 2 tasks ran, 1 from the cache"))
        #expect(text.stdout.contains("± 0.0030 (3 seeds)"))
        #expect(text.stdout.contains("percentile bootstrap of the per-image contrasts, 10000 resamples, seed 21"))

        // v11 - v10 is 0.02 on the CV; each side's seed SD is 0.003: noise of the difference 0.0042, band ±0.0083.
        let diff = try pipe("diff", "v10.yaml", "v11.yaml", "--seed-path", "train.params.seed")
        #expect(diff.status == 0)
        #expect(diff.stdout.contains("+0.0200 (beyond seed noise, ±0.0083)"), "\(diff.stdout)")
        let log = try pipe("log")
        #expect(log.stdout.contains("0.8310 ± 0.0030 (3 seeds)"), "\(log.stdout)")
    }

    /// One variable covers the whole difference: the versions are A and B themselves, nothing is
    /// derived, and the ablation's folder must still be made for effects.json.
    @Test func aOneVariableAblationWritesItsEffects() throws {
        try dir.write("v12.yaml", "pipeline: v12\nextends: v10.yaml\nstages:\n  train:\n    params: {lr: 6.0e-3}\n")
        let result = try pipe("ablate", "v10.yaml", "v12.yaml")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("train.params.lr"))
        #expect(FileManager.default.fileExists(atPath: dir.file(".pipe/ablations/v10-v12/effects.json").path))
    }

    /// Sizes and seeds from the command line and the spec are bounded: a usage error, never a trap.
    @Test func hostileCountsAndSeedsAreRefusedNotCrashes() throws {
        let resamples = try pipe("ablate", "v10.yaml", "v11.yaml", "--resamples", "9000000000000000000", "--dry-run")
        #expect(resamples.status == 2 && resamples.stderr.contains("--resamples must be between"), "\(resamples.stderr)")
        let seeds = try pipe("ablate", "v10.yaml", "v11.yaml", "--seeds", "100000000", "--dry-run")
        #expect(seeds.status == 2 && seeds.stderr.contains("--seeds must be between"), "\(seeds.stderr)")
        let top = "params.seed=9223372036854775807"
        let overflow = try pipe("ablate", "v10.yaml", "v11.yaml", "--seeds", "3", "--seed-path", "train.params.seed",
                                "--set", top, "--dry-run")
        #expect(overflow.status == 2 && overflow.stderr.contains("leaves no room"), "\(overflow.stderr)")
        try dir.write("v13.yaml", "pipeline: v13\nextends: v10.yaml\nparams: {seed: 9223372036854775807}\n")
        _ = try pipe("ablate", "v10.yaml", "v11.yaml")
        let diff = try pipe("diff", "v13.yaml", "v11.yaml", "--seed-path", "train.params.seed")
        #expect(diff.status == 0, "\(diff.stderr)")
    }
}
