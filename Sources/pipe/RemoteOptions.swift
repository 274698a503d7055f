import ArgumentParser
import Foundation
import PipeCache
import PipeCore
import PipeEngine
import PipeRemote

/// `--remote`, `--offline`, `--stats`: the remote cache options of run, plan, push, pull and cache status.
struct RemoteOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The remote cache: s3://bucket/prefix or file:///path (default: cache.remote in "
                               + "pipe.json, else PIPE_REMOTE).", valueName: "url"))
    var remote: String?
    @Flag(help: "Use the local cache only, even when a remote is configured.") var offline = false
    @Flag(help: "Print how many requests this command sent to the remote, on stderr.") var stats = false

    /// The settings in force: pipe.json beside the cache, the environment, then these options.
    func settings(workspace: WorkspaceOptions) throws -> RemoteSettings {
        var settings = try Self.reporting { try RemoteSettings.load(workspace: workspace.outputsRoot) }
        if let remote { settings.url = remote }
        if offline { settings.offline = true }
        return settings
    }

    /// Opens and checks the remote (nil when none is set or offline, with a warning for offline).
    func open(cacheRoot: String, workspace: WorkspaceOptions, stats counter: RemoteStats) throws -> RemoteCache? {
        let settings = try settings(workspace: workspace)
        if settings.offline, let url = settings.url {
            FileHandle.standardError.write(Data("warning: offline: the remote cache \(url) is not consulted and nothing is pushed\n".utf8))
        }
        return try Self.reporting { try RemoteCache.open(settings, cacheRoot: cacheRoot, stats: counter) }
    }

    /// Prints the remote's warnings and, with `--stats`, the request count (stderr).
    func finish(_ remote: RemoteCache?, stats counter: RemoteStats) {
        for warning in remote?.warnings ?? [] { FileHandle.standardError.write(Data("warning: \(warning)\n".utf8)) }
        if stats { FileHandle.standardError.write(Data("\(counter.summary)\n".utf8)) }
    }

    /// Runs `body`; a remote failure becomes one `error:` line and exit code 1.
    static func reporting<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let error as RemoteError { throw Failure.failed(error.message) }
    }
}

/// The remote side of `pipe run` / `pipe plan`: consulted on every local miss,
/// and after a run, the new results pushed (objects first, records last).
struct RemoteRun {
    let options: RemoteOptions
    let remote: RemoteCache?
    let counter = RemoteStats()
    let planning: Bool

    init(_ options: RemoteOptions, cache: Cache, workspace: WorkspaceOptions, planning: Bool) throws {
        self.options = options
        self.planning = planning
        remote = try options.open(cacheRoot: cache.root, workspace: workspace, stats: counter)
        if !planning, let remote { try RemoteOptions.reporting { try remote.checkWrite() } }
        cache.remote.source = remote
    }

    /// Pushes what the run computed (unless read-only), then prints warnings and stats;
    /// says which of `stages` have no `runs/` folder because their bytes stayed on the remote.
    func finish(_ report: RunReport, stages: Set<String>, cache: Cache, quiet: Bool) throws {
        defer { options.finish(remote, stats: counter) }
        guard let remote else { return }
        if let fatal = remote.fatal { throw Failure.failed("remote cache \(remote.store.description): \(fatal.message)") }
        guard !planning else { return }
        let fetched = remote.fetched.count
        if fetched > 0, !quiet { print("remote: \(fetched) result\(fetched == 1 ? "" : "s") taken from \(remote.store.description)") }
        let remoteOnly = stages.intersection(report.tasks.map(\.stage)).subtracting(report.outputs.keys).sorted()
        if !report.failed, !remoteOnly.isEmpty, !quiet {
            print("remote: the outputs of \(remoteOnly.joined(separator: ", ")) stay on the remote until needed; "
                  + "'pipe pull SPEC' downloads them and the next run links them under runs/")
        }
        let computed = report.tasks.filter { $0.status == .ran }.compactMap(\.key)
        guard !remote.readOnly, !computed.isEmpty else { return }
        let pushed = try RemoteOptions.reporting { try remote.push(cache, keys: computed) }
        if !quiet { print("remote: pushed \(pushed.records) result\(pushed.records == 1 ? "" : "s"), \(pushed.objects) objects") }
        for line in pushed.skipped { FileHandle.standardError.write(Data("warning: not pushed: \(line)\n".utf8)) }
    }
}
