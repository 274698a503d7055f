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
        let stream = json ? JSONReportStream() : nil
        let report = try await execution.execute(spec: spec, planOnly: false, stream: stream)
        StopSignals.exitIfStopping()
        execution.show(report, planning: false, stream: stream)
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
        let stream = json ? JSONReportStream() : nil
        execution.show(try await execution.execute(spec: spec, planOnly: true, stream: stream), planning: true, stream: stream)
    }
}

/// Options shared by `run` and `plan`.
struct ExecutionOptions: ParsableArguments {
    @Option(help: "Tasks to run at once (default: the number of cores).") var jobs: Int?
    @Option(help: "Run this stage even if cached (repeatable).") var force: [String] = []
    @Option(help: "Run only this stage and the stages it needs.") var until: String?
    @Option(help: "Where tasks run: 'local' (default) or 'slurm' (a batch job per task or bundle of small tasks); overrides the spec's settings.executor.")
    var executor: String?
    @Option(help: "Slurm: small tasks share a job until their estimated seconds add up to this (0: one job per task).")
    var bundleSeconds: Double = 600
    @Option(help: "Slurm: longest wait in seconds between two polls of the queue.") var pollMax: Double = 10
    @Flag(help: "List every task of a large fan-out instead of a few examples and counts.") var verbose = false
    @OptionGroup var workspace: WorkspaceOptions
    @OptionGroup var remote: RemoteOptions

    /// Ends the streamed JSON object, or prints the stage table.
    func show(_ report: RunReport, planning: Bool, stream: JSONReportStream?) {
        if let stream {
            stream.close(report)
        } else {
            StageTable(report: report, planning: planning, verbose: verbose).print()
        }
    }

    /// Loads the spec and runs or plans it; with a `stream` (`--json`) the
    /// tasks are written to it as they settle.
    func execute(spec options: SpecOptions, planOnly: Bool, stream: JSONReportStream?) async throws -> RunReport {
        let spec = try options.load()
        if !planOnly, spec.stages.contains(where: { KindCatalog.stages.stages[$0.kind]?.runsModels == true }) {
            prepareForModels()
        }
        for name in force where spec.stage(name) == nil {
            throw Failure.usage("--force names no stage '\(name)'" + Failure.suggestion(name, spec.stages.map(\.name)))
        }
        let cache = try workspace.open(.createIfMissing)
        let taskExecutor = try batchExecutor(spec: spec, options: options, cache: cache)
        let engineOptions = EngineOptions(
            jobs: jobs ?? (taskExecutor == nil ? ProcessInfo.processInfo.activeProcessorCount : 1000),
            forced: Set(force), until: until, planOnly: planOnly, outputsRoot: workspace.outputsRoot,
            pipeVersion: PipeVersion.string, executor: taskExecutor)
        if let taskExecutor, !planOnly {
            StopSignals.beforeExit {
                let cancelled = taskExecutor.cancelAll()
                if !cancelled.isEmpty {
                    FileHandle.standardError.write(Data("pipe: cancelled Slurm jobs \(cancelled.joined(separator: " "))\n".utf8))
                }
            }
        }
        stream?.pipeline = spec.name
        let observer: (any EngineObserver)? = stream ?? (planOnly ? nil : ProgressPrinter())
        let remoteRun = try RemoteRun(remote, cache: cache, workspace: workspace, planning: planOnly)
        do {
            let engine = { Engine(spec: spec, cache: cache, registry: KindCatalog.stages, options: engineOptions, observer: observer) }
            var report = try await engine().execute()
            if !cache.remote.takeLost().isEmpty {
                // Results reused from the remote whose bytes it no longer has: recomputed here, once.
                FileHandle.standardError.write(Data(("warning: some results reused from the remote cache could not be "
                    + "downloaded; running again to recompute them\n").utf8))
                report = try await engine().execute()
            }
            try remoteRun.finish(report, stages: Set(spec.stages.map(\.name)), cache: cache, quiet: stream != nil)
            return report
        } catch let diagnostic as Diagnostic {
            throw Failure.spec(diagnostic)
        }
    }

    /// The Slurm executor when `--executor` or the spec's `settings.executor` asks for it, else nil (in-process).
    private func batchExecutor(spec: PipelineSpec, options: SpecOptions, cache: Cache) throws -> SlurmExecutor? {
        let name = executor ?? spec.settings.executor ?? "local"
        guard PipelineSettings.executors.contains(name) else {
            throw Failure.usage("unknown executor '\(name)'" + Failure.suggestion(name, PipelineSettings.executors))
        }
        guard name == "slurm" else { return nil }
        guard bundleSeconds >= 0, pollMax >= 0.1 else {
            throw Failure.usage("--bundle-seconds must be at least 0 and --poll-max at least 0.1")
        }
        let cwd = FileManager.default.currentDirectoryPath
        let absolute = { (path: String) in path.hasPrefix("/") ? path : "\(cwd)/\(path)" }
        let binary = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return SlurmExecutor(settings: SlurmSettings(
            pipeBinary: absolute(binary), specFile: spec.file.path, overrides: options.overrides,
            cacheRoot: absolute(cache.root), outputsRoot: absolute(workspace.outputsRoot), workingDirectory: cwd,
            pollInterval: min(0.5, pollMax)...pollMax, bundleSeconds: bundleSeconds))
    }
}

