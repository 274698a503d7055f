import ArgumentParser
import Foundation
import PipeCache
import PipeCore
import PipeEngine
import PipeReport
import PipeSpec
import PipeStages

/// `pipe ablate A B`: runs the versions between A and B (each variable of B
/// alone, by default) and prints each variable's effect with a bootstrap
/// interval and a verdict.
struct AblateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ablate", abstract: "Which difference between two versions moved the score, and is it more than noise?",
        discussion: """
            Variables are the values that differ (as 'pipe diff' lists them) that change some stage's result. \
            The versions in between are ordinary specs written under .pipe/ablations/A-B/, run through the cache, \
            so only what each one changes runs. Effects are per-image paired contrasts with a percentile bootstrap \
            interval (seeded); --factorial allows at most \(AblationDesign.factorialLimit) variables.
            """)

    @Argument(help: "The first version (FILE).") var a: String
    @Argument(help: "The second version (FILE).") var b: String
    @Option(name: .customLong("set"),
            help: ArgumentHelp("Override a value in every version, after extends (repeatable).", valueName: "key.path=value"))
    var overrides: [String] = []
    @Option(help: "A variable: every difference at or under this dotted path, switched together (repeatable; default: each difference).")
    var vars: [String] = []
    @Flag(help: "Leave one out from B (B with each variable taken back to A's value) instead of one at a time from A.")
    var fromB = false
    @Flag(help: "Every combination of the variables: main effects and two-way interactions.") var factorial = false
    @Option(help: "The metric (default: the CV image Dice the pipeline's kinds declare).") var metric: String?
    @Option(help: "Training seeds per version: s, s+1, ... from the version's own seed; the spread is the noise.")
    var seeds = 1
    @Option(help: "Where the training seed is (STAGE.FIELD).") var seedPath = SeedNoise.defaultPath
    @Option(help: "Bootstrap resamples.") var resamples = 10_000
    @Option(help: "Bootstrap seed.") var bootstrapSeed: UInt64 = 21
    @Flag(help: "Print the derived specs; run nothing.") var dryRun = false
    @Flag(help: "Print the tasks each version needs and the estimated time; run nothing.") var plan = false
    @Option(help: "Refuse to start when more than this many tasks would run.") var maxTasks: Int?
    @Option(help: "Tasks to run at once (default: the number of cores).") var jobs: Int?
    @OptionGroup var workspace: WorkspaceOptions
    @Flag(help: "Print one JSON object.") var json = false

    func validate() throws {
        if fromB && factorial { throw ValidationError("choose one of --from-b and --factorial") }
        if !(1...SeedNoise.maxSeeds).contains(seeds) {
            throw ValidationError("--seeds must be between 1 and \(SeedNoise.maxSeeds) (diff reads that many seed runs at most)")
        }
        if !(1...PairedBootstrap.maxResamples).contains(resamples) {
            throw ValidationError("--resamples must be between 1 and \(PairedBootstrap.maxResamples)")
        }
    }

    func run() async throws {
        let specA = try load(a), specB = try load(b)
        let kinds = KindCatalog.stages
        let design: AblationDesign = factorial ? .factorial : fromB ? .leaveOneOut : .oneAtATime
        let directory = URL(fileURLWithPath: workspace.cacheRoot).appendingPathComponent("ablations/\(specA.name)-\(specB.name)")
        let run: AblationRun
        let entries: [AblationRun.Entry]
        do {
            let ablation = try Ablation(specA, specB, design: design, chosen: vars.isEmpty ? nil : vars,
                                        directory: directory, overrides: overrides, kinds: kinds)
            run = AblationRun(ablation, metric: try chosenMetric(specA, kinds: kinds), seeds: seeds, seedPath: seedPath)
            entries = try run.entries(kinds: kinds)
        } catch let error as AblationError {
            throw Failure.usage(error.description)
        } catch let diagnostics as Diagnostics {
            throw Failure.spec(diagnostics)
        }
        if dryRun { return print(Self.dryRun(run.ablation, entries: entries)) }
        let cache = try workspace.open(.createIfMissing)
        if plan || maxTasks != nil {
            let budget = try await self.budget(entries, metric: run.metric, cache: cache, kinds: kinds)
            if plan { return print(budget.text) }
            if let maxTasks, budget.tasks > maxTasks {
                throw Failure.usage("this ablation would run \(budget.tasks) tasks, more than --max-tasks \(maxTasks); "
                                    + "see 'pipe ablate --plan', or choose fewer variables with --vars")
            }
        }
        try run.ablation.write(entries.map(\.spec))
        StopSignals.install()
        let options = EngineOptions(jobs: jobs ?? ProcessInfo.processInfo.activeProcessorCount, planOnly: false,
                                    outputsRoot: workspace.outputsRoot, pipeVersion: PipeVersion.string)
        let scores: [VersionScore]
        do {
            scores = try await run.execute(cache: cache, kinds: kinds, options: options, observer: json ? nil : ProgressPrinter()) { entry, report in
                guard !json else { return }
                let ran = report.tasks.filter { $0.status == .ran }.count, cached = report.tasks.filter { $0.status == .cached }.count
                print("\(entry.spec.name): \(ran) tasks ran, \(cached) from the cache")
            }
        } catch let error as AblationError {
            throw Failure.failed(error.description)
        }
        StopSignals.exitIfStopping()
        let effects = AblationEffects(run.ablation, scores: scores, metric: run.metric,
                                      bootstrap: PairedBootstrap(resamples: resamples, seed: bootstrapSeed))
        try Data(effects.json.prettyString.utf8).write(to: directory.appendingPathComponent("effects.json"), options: .atomic)
        if !json { print("") }
        print(json ? effects.json.prettyString : effects.text)
    }

    /// `--metric`, else the CV image Dice column's metric declared by the kinds A uses (the last stage declaring one).
    func chosenMetric(_ spec: PipelineSpec, kinds: StageRegistry) throws -> MetricDeclaration {
        let declared = kinds.declaredMetrics
        if let metric {
            return declared.named(metric) ?? MetricDeclaration(metric, .higherIsBetter, .number)
        }
        let used = spec.stages.compactMap { kinds.stages[$0.kind] }.flatMap(\.declaredMetrics).filter { $0.column == .cvImage }
        guard let chosen = used.last else {
            throw AblationError("no stage of '\(spec.name)' declares a CV image Dice; name the metric with --metric")
        }
        return chosen
    }

    /// Every run's plan, and the history's timings.
    func budget(_ entries: [AblationRun.Entry], metric: MetricDeclaration, cache: Cache,
                kinds: StageRegistry) async throws -> AblationBudget {
        var reports: [RunReport] = []
        for entry in entries {
            let spec = try entry.spec.load(kinds: kinds)
            let options = EngineOptions(jobs: 1, until: AblationRun.reportingStage(of: spec, metric: metric, kinds: kinds),
                                        planOnly: true, outputsRoot: workspace.outputsRoot, pipeVersion: PipeVersion.string)
            reports.append(try await Engine(spec: spec, cache: cache, registry: kinds, options: options).execute())
        }
        return AblationBudget(names: entries.map(\.spec.name), reports: reports, history: try AblationBudget.history(cache.database))
    }

    /// `--dry-run`: the variables, then each run's spec (its text, or the file it is).
    static func dryRun(_ ablation: Ablation, entries: [AblationRun.Entry]) -> String {
        var lines = ["variables (\(ablation.design.rawValue)):"]
        for variable in ablation.variables {
            lines.append("  \(variable.path): " + variable.changes.map(\.text).joined(separator: ", "))
        }
        if !ablation.inert.isEmpty { lines.append("not ablated (no stage's result depends on it): " + ablation.inert.map(\.path).joined(separator: ", ")) }
        if let overrides = entries.first?.spec.overrides, !overrides.isEmpty {
            lines.append("every version with --set " + overrides.joined(separator: " --set "))
        }
        for entry in entries {
            lines += ["", "# \(entry.spec.name)"]
            lines.append(entry.spec.text.map { "# \(entry.spec.file.path)\n" + $0 } ?? "# \(entry.spec.file.path) as it is")
        }
        return lines.joined(separator: "\n")
    }

    func load(_ path: String) throws -> PipelineSpec {
        do {
            return try SpecLoader(registry: KindCatalog.registry).load(file: URL(fileURLWithPath: path), overrides: overrides)
        } catch let diagnostics as Diagnostics {
            throw Failure.spec(diagnostics)
        }
    }
}
