import ArgumentParser
import Foundation
import PipeCache

/// `--cache`, the one option every command that reads or writes the cache
/// takes, and the one place a command opens its workspace from.
struct WorkspaceOptions: ParsableArguments {
    @Option(help: "The cache directory (default: PIPE_CACHE, else the nearest .pipe/).") var cache: String?

    /// What a command needs of the cache before it may open it.
    enum Need {
        /// Created on first use (`run`, `plan`).
        case createIfMissing
        /// The cache must exist (`cache status|gc|verify|repair`).
        case existing
        /// It must hold run history (`log`, `record`).
        case history
    }

    /// The cache directory: `--cache`, else PIPE_CACHE, else the nearest `.pipe/`.
    var cacheRoot: String { Cache.locate(explicit: cache, from: FileManager.default.currentDirectoryPath) }

    /// Where `runs/<pipeline>/<stage>/` go: beside the discovered `.pipe/`, or
    /// the current directory when the cache is placed explicitly elsewhere.
    var outputsRoot: String {
        let cwd = FileManager.default.currentDirectoryPath
        if cache != nil || ProcessInfo.processInfo.environment["PIPE_CACHE"]?.isEmpty == false { return cwd }
        return (Cache.locate(explicit: nil, from: cwd) as NSString).deletingLastPathComponent
    }

    /// Whether the cache holds run history (its database exists).
    var hasHistory: Bool { FileManager.default.fileExists(atPath: "\(cacheRoot)/pipe.db") }

    /// Opens the cache; a missing one is a usage error naming the remedy.
    func open(_ need: Need) throws -> Cache {
        let root = cacheRoot
        switch need {
        case .createIfMissing: break
        case .existing:
            guard FileManager.default.fileExists(atPath: root) else {
                throw Failure.usage("no cache at '\(root)'; run a pipeline first or pass --cache")
            }
        case .history:
            guard hasHistory else { throw Failure.usage("no run history at '\(root)'; run a pipeline first or pass --cache") }
        }
        return try Cache(root: root)
    }

    /// The cache when it holds run history, else nil: reading (`diff`,
    /// `report`) never creates a cache.
    func openIfRun() throws -> Cache? { hasHistory ? try Cache(root: cacheRoot) : nil }

    /// `runs/<pipeline>/<stage>` for display, relative to the current directory when inside it.
    func outputFolder(pipeline: String, stage: String) -> String {
        StageTable.relativeToCwd("\(outputsRoot)/runs/\(pipeline)/\(stage)")
    }
}
