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
            AblateCommand.self,
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
            CancelCommand.self,
            TaskCommand.self,
        ]
    )

    /// Commands that run models first make sure OpenBLAS runs the kernels
    /// this CPU supports (DESIGN §7: it may re-exec once) and keep freed
    /// tensor buffers for reuse; `run` does so only for a spec with a kind
    /// that runs models (`ExecutionOptions.execute`). OpenBLAS itself is
    /// loaded on its first use (NeuralNet's `BLAS.Library`), so other
    /// commands never load it.
    static func main() async {
        if let command = CommandLine.arguments.dropFirst().first, ["ablate", "model", "predict", "task"].contains(command) {
            prepareForModels()
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

/// Gives this process the CPU's best BLAS kernels (re-executing it once if
/// OpenBLAS chose weaker ones) and keeps freed tensor buffers for reuse.
func prepareForModels() {
    OpenBLAS.ensureProperKernels()
    HeapTuning.keepFreedBuffersForReuse()
}

/// The version recorded in run records and printed by `pipe --version`.
enum PipeVersion {
    static let string = "0.1.0"
}
