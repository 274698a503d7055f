import Foundation
import PipeCache

/// Where a command's cache and per-version output folders are.
enum Workspace {
    /// The cache directory: `--cache`, else PIPE_CACHE, else the nearest `.pipe/`.
    static func cacheRoot(_ explicit: String?) -> String {
        Cache.locate(explicit: explicit, from: FileManager.default.currentDirectoryPath)
    }

    /// Where `runs/<pipeline>/<stage>/` go: beside the discovered `.pipe/`, or
    /// the current directory when the cache is placed explicitly elsewhere.
    static func outputsRoot(cache explicit: String?) -> String {
        let cwd = FileManager.default.currentDirectoryPath
        if explicit != nil || ProcessInfo.processInfo.environment["PIPE_CACHE"]?.isEmpty == false { return cwd }
        return (cacheRoot(nil) as NSString).deletingLastPathComponent
    }

    /// `runs/<pipeline>/<stage>` for display, relative to the current directory when inside it.
    static func outputFolder(pipeline: String, stage: String, cache explicit: String?) -> String {
        StageTable.relativeToCwd("\(outputsRoot(cache: explicit))/runs/\(pipeline)/\(stage)")
    }
}
