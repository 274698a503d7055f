import Foundation
import PipeCore

/// Runs one scheduler tool (`sbatch`, `squeue`, `sacct`, `scancel`) found on
/// PATH through `ChildProcess`, on a thread of its own.
enum SchedulerCall {
    struct Result: Sendable {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static func run(_ program: String, _ arguments: [String]) async throws -> Result {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread { continuation.resume(with: Swift.Result { try runBlocking(program, arguments) }) }
        }
    }

    /// The same, on the calling thread (the signal handler's cancel path). The
    /// tool starts with default signal handling, so Ctrl-C reaches it even
    /// while pipe itself ignores SIGINT to stop in order.
    static func runBlocking(_ program: String, _ arguments: [String]) throws -> Result {
        let output: ChildProcess.Output
        do {
            output = try ChildProcess.run(program, arguments)
        } catch let error as ChildProcess.LaunchError {
            throw ExecutorError(.schedulerUnavailable, "\(error); is Slurm installed and on PATH on this (login) node?")
        }
        return Result(status: output.status, stdout: String(decoding: output.stdout, as: UTF8.self),
                      stderr: String(decoding: output.stderr, as: UTF8.self))
    }
}
