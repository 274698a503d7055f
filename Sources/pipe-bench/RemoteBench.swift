import ArgumentParser
import Foundation
import PipeCache
import PipeCore
import PipeRemote

/// `pipe-bench remote`: push and pull throughput of a cache (the main job's,
/// by default the nearest `.pipe/`) against a remote, and the requests each costs.
/// Point it at a local server, e.g. `scripts/s3-test-server.sh` or MinIO.
struct RemoteBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remote", abstract: "Push and pull throughput and request counts against a remote cache.")

    @Option(help: "The cache to push (default: the nearest .pipe/).") var cache: String?
    @Option(help: "The remote: s3://bucket/prefix (credentials and endpoint from the AWS environment) or file:///path.")
    var remote: String

    func run() throws {
        let source = try Cache(root: Cache.locate(explicit: cache, from: FileManager.default.currentDirectoryPath))
        var settings = try RemoteSettings.load(workspace: source.workspace)
        settings.url = remote
        settings.offline = false
        let keys = source.records.allKeys()
        let bytes = source.objectDigests().reduce(Int64(0)) { total, digest in
            var info = stat()
            return total + (stat(source.objects.path(of: digest), &info) == 0 ? Int64(info.st_size) : 0)
        }
        print("cache: \(source.root): \(keys.count) results, \(RemoteStats.megabytes(bytes))")

        let pushStats = RemoteStats()
        guard let pusher = try RemoteCache.open(settings, cacheRoot: source.root, stats: pushStats) else { return }
        pusher.forgetIndex()
        var started = Date()
        let pushed = try pusher.push(source)
        let pushSeconds = Date().timeIntervalSince(started)
        print(String(format: "push:    %.1f s, %.1f MB/s, %@ results, %@ objects; %@", pushSeconds,
                     Double(pushStats.bytes.sent) / 1e6 / max(pushSeconds, 1e-9), "\(pushed.records)", "\(pushed.objects)",
                     pushStats.summary))

        let noopStats = RemoteStats()
        let again = try RemoteCache.open(settings, cacheRoot: source.root, stats: noopStats)!
        _ = try again.push(source)
        print("no-op push: \(noopStats.summary)")

        let target = NSTemporaryDirectory() + "pipe-bench-pull-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: target) }
        let empty = try Cache(root: target)
        let pullStats = RemoteStats()
        let puller = try RemoteCache.open(settings, cacheRoot: empty.root, stats: pullStats)!
        started = Date()
        let pulled = try puller.pull(empty, keys: keys)
        let pullSeconds = Date().timeIntervalSince(started)
        print(String(format: "pull:    %.1f s, %.1f MB/s, %@ results; %@", pullSeconds,
                     Double(pullStats.bytes.received) / 1e6 / max(pullSeconds, 1e-9), "\(pulled.records)", pullStats.summary))
        if !pulled.failed.isEmpty { throw ValidationError("pull failed: \(pulled.failed.joined(separator: "; "))") }
    }
}
