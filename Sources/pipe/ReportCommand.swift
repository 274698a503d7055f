import ArgumentParser
import Foundation
import PipeCache
import PipeCore
import PipeEngine
import PipeReport
import PipeSpec

/// `pipe report SPEC [-o report.html]` and `pipe report --compare A B`: one
/// self-contained HTML page (inline SVG and PNG, no script, no network).
struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report", abstract: "Write one self-contained HTML page about a pipeline version.",
        discussion: """
            The page shows the DAG with each task's status and time, a timeline of tasks, learning curves per \
            fold, the threshold sweep, worst-case overlays, tile previews, and CV vs LB across versions. \
            --compare A B puts two versions side by side instead.
            """)

    @Argument(help: "The pipeline spec (YAML); omit with --compare.") var spec: String?
    @Option(name: .customLong("compare"), parsing: .upToNextOption, help: ArgumentHelp("Two specs to put side by side: --compare A B.", valueName: "spec"))
    var compare: [String] = []
    @Option(name: .shortAndLong, help: "Where to write the page.") var output = "report.html"
    @Option(name: .customLong("set"), help: ArgumentHelp("Override a value after extends (repeatable).", valueName: "key.path=value"))
    var overrides: [String] = []
    @Flag(help: "Do not write the metric plots as PNG files (OUTPUT-files/*.png).") var noPlots = false
    @OptionGroup var workspace: WorkspaceOptions

    /// Argument problems, as exit code 2 like every other usage error (DESIGN §2).
    func checkArguments() throws {
        if compare.isEmpty, spec == nil { throw Failure.usage("give a spec, or --compare A B") }
        if !compare.isEmpty, compare.count != 2 { throw Failure.usage("--compare takes exactly two specs, got \(compare.count)") }
        if !compare.isEmpty, spec != nil { throw Failure.usage("give either a spec or --compare A B, not both") }
    }

    func run() async throws {
        try checkArguments()
        // Reading a report never creates a cache: without one, every section says "not run yet".
        let store = try workspace.openIfRun()
        let html: String
        var snapshot: ReportSnapshot?
        if compare.count == 2 {
            let a = try load(compare[0]), b = try load(compare[1])
            html = ReportPage.renderComparison(try ReportSnapshot(spec: a, cache: store, kinds: KindCatalog.stages), try ReportSnapshot(spec: b, cache: store, kinds: KindCatalog.stages),
                                               comparison: SpecComparison(a, b, registry: KindCatalog.stages))
        } else {
            snapshot = try ReportSnapshot(spec: try load(spec!), cache: store, kinds: KindCatalog.stages)
            html = ReportPage.render(snapshot!)
        }
        do { try Data(html.utf8).write(to: URL(fileURLWithPath: output), options: .atomic) } catch {
            throw Failure.usage("cannot write '\(output)': \(error.localizedDescription)")
        }
        print("wrote \(output) (\(html.utf8.count / 1024) KB)")
        guard let snapshot, !noPlots else { return }
        let plots: [String]
        do { plots = try ReportPlots.write(snapshot, to: plotDirectory) } catch {
            throw Failure.usage("cannot write plots to '\(plotDirectory)': \(error)")
        }
        if !plots.isEmpty { print("wrote \(plots.count) plot\(plots.count == 1 ? "" : "s") to \(plotDirectory)/") }
    }

    /// `report.html` -> `report-files`, beside the page.
    var plotDirectory: String {
        (output as NSString).deletingPathExtension + "-files"
    }

    func load(_ path: String) throws -> PipelineSpec {
        do {
            return try SpecLoader(registry: KindCatalog.registry).load(file: URL(fileURLWithPath: path), overrides: overrides)
        } catch let diagnostics as Diagnostics {
            throw Failure.spec(diagnostics)
        } catch {
            throw Failure.usage("cannot read '\(path)': \(error)")
        }
    }
}
