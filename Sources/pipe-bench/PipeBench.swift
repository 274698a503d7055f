import ArgumentParser

/// `pipe-bench`: benchmark commands, one subcommand per file in this target.
@main
struct PipeBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pipe-bench",
        abstract: "Benchmarks of pipe against the tools its users know.",
        subcommands: [
            // Each benchmark lives in its own file; add new ones here, one per line.
            PipelineBench.self,
            ScaleBench.self,
            ImageReadBench.self,
            GemmBench.self,
            ModelBench.self,
            TileBench.self,
            InferBench.self,
            RemoteBench.self,
            SlurmBench.self,
        ]
    )
}
