import ArgumentParser
import Foundation
import PipeCache
import PipeCore
import PipeEngine
import PipeRemote

/// `pipe push`: uploads local results the remote cache does not have yet.
struct PushCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "push", abstract: "Upload local results to the remote cache (objects first, records last).")

    @OptionGroup var remote: RemoteOptions
    @OptionGroup var workspace: WorkspaceOptions
    @Flag(help: "Forget what this machine remembers the remote holds, and check again.") var refresh = false

    func run() async throws {
        let local = try workspace.open(.existing)
        let counter = RemoteStats()
        guard let remote = try self.remote.open(cacheRoot: local.root, workspace: workspace, stats: counter) else {
            throw Failure.usage("no remote cache: set cache.remote in pipe.json, PIPE_REMOTE, or pass --remote")
        }
        defer { self.remote.finish(remote, stats: counter) }
        if refresh { remote.forgetIndex() }
        try RemoteOptions.reporting { try remote.checkWrite() }
        let report = try RemoteOptions.reporting { try remote.push(local) }
        print("pushed \(report.records) result\(report.records == 1 ? "" : "s") and \(report.objects) objects "
              + "(\(RemoteStats.megabytes(report.bytes))) to \(remote.store.description); "
              + "\(report.alreadyThere) already there")
        for line in report.skipped { FileHandle.standardError.write(Data("warning: not pushed: \(line)\n".utf8)) }
        if !report.skipped.isEmpty { throw ExitCode(1) }
    }
}

/// `pipe pull [SPEC]`: downloads results from the remote cache.
struct PullCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pull",
        abstract: "Download results from the remote cache: every result, or those a pipeline needs.")

    @Argument(help: "A pipeline spec: pull only the results its run would reuse.") var spec: String?
    @Option(name: .customLong("set"), help: "Override a value of the spec (repeatable).") var overrides: [String] = []
    @OptionGroup var remote: RemoteOptions
    @OptionGroup var workspace: WorkspaceOptions

    func run() async throws {
        let local = try workspace.open(.createIfMissing)
        let counter = RemoteStats()
        guard let remote = try self.remote.open(cacheRoot: local.root, workspace: workspace, stats: counter) else {
            throw Failure.usage("no remote cache: set cache.remote in pipe.json, PIPE_REMOTE, or pass --remote")
        }
        defer { self.remote.finish(remote, stats: counter) }
        if let spec {
            // Planning with the remote attached finds the results the plan reuses; then their bytes come.
            local.remote.source = remote
            let loaded = try SpecOptions.parse([spec] + overrides.flatMap { ["--set", $0] }).load()
            let options = EngineOptions(planOnly: true, outputsRoot: workspace.outputsRoot,
                                        pipeVersion: PipeVersion.string)
            let report = try await Engine(spec: loaded, cache: local, registry: KindCatalog.stages, options: options).execute()
            let reused = report.tasks.filter { $0.status == .cached }.compactMap(\.key)
            let pulled = try RemoteOptions.reporting { try remote.pull(local, keys: reused) }
            let missing = report.tasks.count - reused.count
            print("pulled \(pulled.records) result\(pulled.records == 1 ? "" : "s") from \(remote.store.description); "
                  + "\(missing) task\(missing == 1 ? "" : "s") of \(loaded.name) not on the remote")
            for line in pulled.failed { FileHandle.standardError.write(Data("warning: not pulled: \(line)\n".utf8)) }
            if !pulled.failed.isEmpty { throw ExitCode(1) }
            return
        }
        let report = try RemoteOptions.reporting { try remote.pull(local) }
        print("pulled \(report.records) result\(report.records == 1 ? "" : "s") from \(remote.store.description)")
        for line in report.failed { FileHandle.standardError.write(Data("warning: not pulled: \(line)\n".utf8)) }
        if !report.failed.isEmpty { throw ExitCode(1) }
    }
}

/// `pipe cache status --remote`.
enum RemoteStatusReport {
    static func print(_ options: RemoteOptions, workspace: WorkspaceOptions, cache: Cache, json: Bool) throws {
        let counter = RemoteStats()
        guard let remote = try options.open(cacheRoot: cache.root, workspace: workspace, stats: counter) else {
            throw Failure.usage("no remote cache: set cache.remote in pipe.json, PIPE_REMOTE, or pass --remote")
        }
        defer { options.finish(remote, stats: counter) }
        let status = try RemoteOptions.reporting { try remote.status(cache) }
        if json {
            Swift.print(JSONValue.object([
                "remote": .string(remote.store.description),
                "records": .object(["local_only": .int(status.localOnlyRecords), "remote_only": .int(status.remoteOnlyRecords),
                                    "both": .int(status.bothRecords)]),
                "objects": .object(["local_only": .int(status.localOnlyObjects), "remote_only": .int(status.remoteOnlyObjects),
                                    "both": .int(status.bothObjects)]),
                "remote_bytes": .int(Int(status.remoteBytes)),
            ]).prettyString)
            return
        }
        Swift.print("remote:      \(remote.store.description) (\(RemoteStats.megabytes(status.remoteBytes)))")
        Swift.print("run records: \(status.bothRecords) both, \(status.localOnlyRecords) local only (pipe push), "
                    + "\(status.remoteOnlyRecords) remote only (pipe pull)")
        Swift.print("objects:     \(status.bothObjects) both, \(status.localOnlyObjects) local only, "
                    + "\(status.remoteOnlyObjects) remote only")
    }
}
