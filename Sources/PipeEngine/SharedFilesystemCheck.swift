import Foundation

/// Workers on other nodes must see the workspace's cache (DESIGN §4): a
/// cache on a filesystem that lives in this machine's memory (tmpfs, ramfs)
/// cannot be seen from another node, so on a cluster of more than one node
/// that is refused at submit time instead of every job failing.
enum SharedFilesystemCheck {
    static let localOnly: Set<String> = ["tmpfs", "ramfs"]

    /// Why workers could not see `cacheRoot`, or nil when they can as far as pipe can tell.
    static func problem(cacheRoot: String) async -> ExecutorError? {
        guard let kind = filesystemType(of: cacheRoot), localOnly.contains(kind) else { return nil }
        guard let nodes = try? await SchedulerCall.run("sinfo", ["--noheader", "--format=%D"]), nodes.status == 0 else {
            return nil
        }
        let count = nodes.stdout.split(whereSeparator: \.isNewline).compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
            .reduce(0, +)
        guard count > 1 else { return nil }
        return ExecutorError(.notShared, "the cache \(cacheRoot) is on \(kind), which only this machine sees, and the "
                             + "cluster has \(count) nodes; put the workspace (or --cache) on a shared filesystem "
                             + "every node mounts at the same path")
    }

    /// The type of the filesystem holding `path` (`nfs4`, `tmpfs`, ...), from the longest matching mount point.
    static func filesystemType(of path: String) -> String? {
        let resolved = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
        guard let mounts = try? String(contentsOfFile: "/proc/self/mounts", encoding: .utf8) else { return nil }
        var best: (point: String, type: String)?
        for line in mounts.split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard fields.count >= 3 else { continue }
            let point = String(fields[1])
            let inside = point == "/" || resolved == point || resolved.hasPrefix(point + "/")
            if inside, point.count > (best?.point.count ?? -1) { best = (point, String(fields[2])) }
        }
        return best?.type
    }
}
