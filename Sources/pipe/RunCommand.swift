import ArgumentParser
import Foundation
import PipeCache
import PipeCore
import PipeEngine
import PipeSpec

/// `pipe run SPEC`: runs the stages whose inputs changed and prints the stage table.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Run a pipeline: only the tasks whose params or inputs changed.")

    @OptionGroup var spec: SpecOptions
    @OptionGroup var execution: ExecutionOptions
    @Flag(help: "Print one JSON object instead of the table.") var json = false

    func run() async throws {
        StopSignals.install()
        let report = try await execution.execute(spec: spec, planOnly: false, json: json)
        StopSignals.exitIfStopping()
        ExecutionOptions.show(report, json: json, planning: false)
        if report.failed { throw ExitCode(1) }
    }
}

/// `pipe plan SPEC`: what `run` would do, and why, without running anything.
struct PlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan", abstract: "Show what 'pipe run' would run, and why, without running it.")

    @OptionGroup var spec: SpecOptions
    @OptionGroup var execution: ExecutionOptions
    @Flag(help: "Print one JSON object instead of the table.") var json = false

    func run() async throws {
        ExecutionOptions.show(try await execution.execute(spec: spec, planOnly: true, json: json), json: json, planning: true)
    }
}

/// Options shared by `run` and `plan`.
struct ExecutionOptions: ParsableArguments {
    @Option(help: "Tasks to run at once (default: the number of cores).") var jobs: Int?
    @Option(help: "Run this stage even if cached (repeatable).") var force: [String] = []
    @Option(help: "Run only this stage and the stages it needs.") var until: String?
    @OptionGroup var workspace: WorkspaceOptions
    @OptionGroup var remote: RemoteOptions

    /// Prints a report as one JSON object or as the stage table.
    static func show(_ report: RunReport, json: Bool, planning: Bool) {
        if json {
            print(report.json.prettyString)
        } else {
            StageTable(report: report, planning: planning).print()
        }
    }

    func execute(spec options: SpecOptions, planOnly: Bool, json: Bool) async throws -> RunReport {
        let spec = try options.load()
        for name in force where spec.stage(name) == nil {
            throw Failure.usage("--force names no stage '\(name)'" + Failure.suggestion(name, spec.stages.map(\.name)))
        }
        let cache = try workspace.open(.createIfMissing)
        let engineOptions = EngineOptions(
            jobs: jobs ?? ProcessInfo.processInfo.activeProcessorCount, forced: Set(force), until: until,
            planOnly: planOnly, outputsRoot: workspace.outputsRoot, pipeVersion: PipeVersion.string)
        let observer: (any EngineObserver)? = (planOnly || json) ? nil : ProgressPrinter()
        let remoteRun = try RemoteRun(remote, cache: cache, workspace: workspace, planning: planOnly)
        do {
            let report = try await Engine(spec: spec, cache: cache, registry: KindCatalog.stages, options: engineOptions,
                                          observer: observer).execute()
            try remoteRun.finish(report, cache: cache, quiet: json)
            return report
        } catch let diagnostic as Diagnostic {
            throw Failure.spec(diagnostic)
        }
    }
}
