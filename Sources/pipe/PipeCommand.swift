import ArgumentParser

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
            CheckCommand.self,
            ShowCommand.self,
            SchemaCommand.self,
            CacheCommand.self,
            TilesCommand.self,
            ImageCommand.self,
            RLECommand.self,
            ReportCommand.self,
        ]
    )
}

/// The version recorded in run records and printed by `pipe --version`.
enum PipeVersion {
    static let string = "0.1.0"
}
