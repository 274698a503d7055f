import PipeSpec
import PipeStages

/// The stage kinds and data generators this build of `pipe` runs.
enum KindCatalog {
    static let stages = StageRegistry.standard
    static let registry = stages.kinds
}
