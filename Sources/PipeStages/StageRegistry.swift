import PipeSpec

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

    /// Every kind's declared metrics, stages before generators, each name once.
    public var declaredMetrics: [MetricDeclaration] {
        var seen = Set<String>()
        return allKinds.flatMap(\.declaredMetrics).filter { seen.insert($0.name).inserted }
    }

    /// Every kind's declared artifacts, each once.
    public var declaredArtifacts: [ArtifactDeclaration] {
        var seen = Set<ArtifactDeclaration>()
        return allKinds.flatMap(\.declaredArtifacts).filter { seen.insert($0).inserted }
    }

    /// Stage kinds then generators, each in name order.
    var allKinds: [any StageImplementation] {
        stages.values.sorted { $0.kind < $1.kind } + generators.values.sorted { $0.kind < $1.kind }
    }

    /// The schemas, for `SpecLoader` and `pipe schema`.
    public var kinds: KindRegistry {
        KindRegistry(stageKinds: stages.values.map(\.schema).sorted { $0.name < $1.name },
                     dataGenerators: generators.values.map(\.schema).sorted { $0.name < $1.name })
    }
}

extension DataSourceSpec {
    /// A generated source as the stage that produces it (named `data.NAME`,
    /// its options as config), as the engine runs it and keys it; nil for a path.
    public var generatorStage: StageSpec? {
        guard case .generator(let kind, let options) = source else { return nil }
        return StageSpec(name: reference, kind: kind, config: options, inputs: [], location: location, locations: locations)
    }
}
