import PipeSpec
import PipeStages

/// Every stage kind and data generator the engine can run, and the schema
/// registry the spec loader validates against (both from the same list, so
/// a kind is accepted exactly when it can run).
public struct StageRegistry: Sendable {
    public private(set) var stages: [String: any StageImplementation] = [:]
    public private(set) var generators: [String: any StageImplementation] = [:]

    public init(stages: [any StageImplementation], generators: [any StageImplementation]) {
        for stage in stages { self.stages[stage.kind] = stage }
        for generator in generators { self.generators[generator.kind] = generator }
    }

    /// The kinds `pipe` ships with.
    public static var standard: StageRegistry {
        StageRegistry(stages: [CommandStage(), TileStage(), AugmentStage(), TrainStage(), ValidateStage(), TTAInferStage(), SubmitStage()],
                      generators: [SyntheticKidneySource(), SyntheticExternalSource()])
    }

    /// The schemas, for `SpecLoader` and `pipe schema`.
    public var kinds: KindRegistry {
        KindRegistry(stageKinds: stages.values.map(\.schema).sorted { $0.name < $1.name },
                     dataGenerators: generators.values.map(\.schema).sorted { $0.name < $1.name })
    }
}
