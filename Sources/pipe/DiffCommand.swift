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
    @OptionGroup var workspace: WorkspaceOptions
    @Flag(help: "Print one JSON object.") var json = false
    @Option(help: "Where the training seed is (STAGE.FIELD), for the seed noise of runs 'pipe ablate --seeds' made.")
    var seedPath = SeedNoise.defaultPath

    func run() async throws {
        let specA = try load(a), specB = try load(b)
        let diff = try await VersionDiff(specA, specB, kinds: KindCatalog.stages, cache: try workspace.openIfRun(),
                                     seedPath: seedPath)
        print(json ? diff.json.prettyString : diff.text)
    }

    func load(_ argument: String) throws -> PipelineSpec {
        let (path, revision) = GitSpecReader.split(argument)
        let reader = revision.map(GitSpecReader.reader(revision:)) ?? .disk
        do {
            return try SpecLoader(registry: KindCatalog.registry, reader: reader).load(file: URL(fileURLWithPath: path))
        } catch let diagnostics as Diagnostics {
            throw Failure.spec(diagnostics)
        } catch {
            throw Failure.usage("cannot read '\(argument)': \(error)")
        }
    }
}
