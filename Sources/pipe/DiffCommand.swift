import ArgumentParser
import Foundation
import PipeCache
import PipeCore
import PipeEngine
import PipeReport
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
        let root = Workspace.cacheRoot(cache)
        let store = FileManager.default.fileExists(atPath: "\(root)/pipe.db") ? try Cache(root: root) : nil
        let diff = try await VersionDiff(specA, specB, kinds: KindCatalog.stages, cache: store)
        print(json ? diff.json.prettyString : diff.text)
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
}
