import ArgumentParser
import Foundation
import PipeCache
import NeuralNet

/// The `pipe` executable: one subcommand per file in this target.
@main
struct PipeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pipe",
        abstract: "Declarative, content-addressed pipelines for whole-slide image segmentation.",
        version: PipeVersion.string,
        subcommands: [
            // Each subcommand lives in its own file; add new ones here, one per line.
            RunCommand.self,
            PlanCommand.self,
            DiffCommand.self,
            LogCommand.self,
            RecordCommand.self,
            ReportCommand.self,
            CheckCommand.self,
            ShowCommand.self,
            SchemaCommand.self,
            CacheCommand.self,
            PushCommand.self,
            PullCommand.self,
            TilesCommand.self,
            ImageCommand.self,
            RLECommand.self,
            ModelCommand.self,
            PredictCommand.self,
        ]
    )

    /// Commands that train or run models first make sure OpenBLAS runs the
    /// kernels this CPU supports (DESIGN §7: it may re-exec once) and keep freed
    /// tensor buffers for reuse; the others start without paying for it.
    static func main() async {
        if let command = CommandLine.arguments.dropFirst().first, ["run", "model", "predict"].contains(command) {
            OpenBLAS.ensureProperKernels()
            HeapTuning.keepFreedBuffersForReuse()
        }
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let failure as Failure {
            failure.print()
            Foundation.exit(failure.exitCode)
        } catch let error as CacheError {
            // A damaged, locked or read-only pipe.db (or another cache failure): one line naming the file and the remedy.
            let failure = Failure.failed(error.description)
            failure.print()
            Foundation.exit(failure.exitCode)
        } catch {
            // Usage errors exit 2 (DESIGN §2), not argument-parser's 64.
            if exitCode(for: error).rawValue == 64 {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Foundation.exit(2)
            }
            exit(withError: error)
        }
    }
}

/// The version recorded in run records and printed by `pipe --version`.
enum PipeVersion {
    static let string = "0.1.0"
}
