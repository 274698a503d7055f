import Foundation
import PipeCache
import PipeCore
import PipeSpec

extension Engine {
    /// Refuses, before anything runs, a pipeline or stage name that would
    /// not stay one folder under `runs/` (empty, `.`, `..`, `/`, NUL): the
    /// spec layer checks names too, this is the engine's own guard.
    func checkFolderNames(_ graph: StageGraph) throws {
        guard PathSafety.isSafeComponent(spec.name) else {
            throw Diagnostic("pipeline name '\(spec.name)' cannot be a folder under runs/ (empty, '.', '..', '/' or NUL); "
                             + "rename it")
        }
        for node in graph.order {
            guard case .stage(let stage) = node, !PathSafety.isSafeComponent(stage.name) else { continue }
            throw Diagnostic("stage name '\(stage.name)' cannot be a folder under runs/\(spec.name)/ (empty, '.', '..', "
                             + "'/' or NUL); rename it", at: stage.location)
        }
    }
}
