import CProcessGuard
import Foundation

/// Runs a child process with its output going to a log file (never a pipe
/// that could fill up), and returns its status and the log's last lines.
///
/// Every command runs under a guard process (`pipe_spawn_guarded`) in a
/// process group of its own: cancelling the task, `CommandRunner.stopAll()`
/// (pipe's SIGINT/SIGTERM handler) or pipe's death, even by SIGKILL, ends the
/// command and everything it started (SIGTERM, then SIGKILL after
/// `gracePeriod`).
public enum CommandRunner {
    struct Result {
        var status: Int32
        var tail: String
    }

    /// Seconds between SIGTERM and SIGKILL when a command is stopped.
    public static let gracePeriod: UInt32 = 5

    static func run(_ argv: [String], in directory: URL, environment: [String: String], logFile: URL) async throws -> Result {
        FileManager.default.createFile(atPath: logFile.path, contents: nil)
        let log = try FileHandle(forWritingTo: logFile)
        defer { try? log.close() }
        // A program named without a slash is found on PATH by env, as a shell would.
        let program = argv[0].contains("/") ? argv : ["/usr/bin/env"] + argv
        let launch = GuardedLaunch(argv: program, environment: environment, directory: directory.path,
                                   outputDescriptor: log.fileDescriptor)
        let status = try await withTaskCancellationHandler {
            try await launch.run()
        } onCancel: {
            launch.stop()
        }
        return Result(status: status, tail: tailOfFile(logFile, lines: 40))
    }

    /// Stops every running command (SIGTERM to each guard, which ends the
    /// command's group, SIGKILL after the grace period) and refuses new ones;
    /// returns once all have ended or `timeout` seconds have passed.
    public static func stopAll(timeout: Double) {
        RunningCommands.shared.stopAll()
        let deadline = Date().addingTimeInterval(timeout)
        while RunningCommands.shared.count > 0, Date() < deadline { usleep(20_000) }
    }

    /// The last `lines` lines of a file, reading at most its last 16 KiB.
    public static func tailOfFile(_ url: URL, lines: Int) -> String {
        guard let handle = try? FileHandle(forReadingFrom: url) else { return "" }
        defer { try? handle.close() }
        let size = (try? handle.seekToEnd()) ?? 0
        let start = size > 16_384 ? size - 16_384 : 0
        try? handle.seek(toOffset: start)
        let text = String(decoding: handle.readDataToEndOfFile(), as: UTF8.self)
        return text.split(separator: "\n", omittingEmptySubsequences: false).suffix(lines).joined(separator: "\n")
    }
}
