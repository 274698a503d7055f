import PipeSpec

/// What a task asks a scheduler for when neither its stage nor the spec's
/// settings say, and how long it is expected to take before it has ever
/// run. Training asks for more than tiling; every default fits a modest
/// node (2 CPUs, 8 GB), so a first run schedules anywhere and a stage that
/// needs more says so in its `resources:`.
public enum ResourceDefaults {
    /// Per stage kind; other kinds (`command`, ...) get `fallback`.
    public static let perKind: [String: StageResources] = [
        "train": StageResources(cpus: 2, memMB: 6144, minutes: 8 * 60),
        "tta-infer": StageResources(cpus: 2, memMB: 4096, minutes: 2 * 60),
        "validate": StageResources(cpus: 2, memMB: 4096, minutes: 60),
        "tile": StageResources(cpus: 1, memMB: 2048, minutes: 30),
        "augment": StageResources(cpus: 1, memMB: 2048, minutes: 30),
        "submit": StageResources(cpus: 1, memMB: 2048, minutes: 30),
        "synthetic": StageResources(cpus: 2, memMB: 2048, minutes: 60),
        "synthetic-external": StageResources(cpus: 1, memMB: 1024, minutes: 30),
    ]
    public static let fallback = StageResources(cpus: 1, memMB: 2048, minutes: 60)

    /// Expected seconds of a task that never ran, for bundling small tasks.
    public static func seconds(kind: String) -> Double {
        ["train": 1800, "tta-infer": 300, "validate": 300, "synthetic": 120, "tile": 20, "augment": 20,
         "submit": 10, "synthetic-external": 10][kind] ?? 60
    }

    /// The stage's `resources:` over the spec's `settings.resources` over the kind's defaults.
    public static func resolve(_ stage: StageSpec, settings: PipelineSettings) -> StageResources {
        stage.resources.over(settings.resources).over(perKind[stage.kind] ?? fallback)
    }
}
