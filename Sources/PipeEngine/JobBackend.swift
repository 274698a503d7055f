import Foundation

/// A batch system, every call about many jobs at once, so the load on the
/// scheduler grows with the number of ticks, not of tasks.
public protocol JobBackend: Sendable {
    /// Submits one job; returns its id.
    func submit(_ job: JobSubmission) async throws -> String
    /// Every job of these names the scheduler still lists: ONE query.
    func queue(names: [String]) async throws -> [String: SlurmCommands.QueueEntry]
    /// How these jobs ended, from accounting: ONE query; nil when accounting is off or unreachable.
    func accounting(jobs: [String]) async -> [String: (state: JobState, nodes: String)]?
    /// Cancels these jobs: ONE call.
    func cancel(jobs: [String]) throws
}

/// Slurm through its command-line tools on PATH.
public struct SlurmBackend: JobBackend {
    public init() {}

    public func submit(_ job: JobSubmission) async throws -> String {
        let result = try await SchedulerCall.run("sbatch", SlurmCommands.sbatchArguments(job))
        guard result.status == 0, let id = SlurmCommands.parseSubmitted(result.stdout) else {
            let said = (result.stderr + result.stdout).trimmingCharacters(in: .whitespacesAndNewlines)
            throw ExecutorError(.submitRefused, "sbatch refused the job (exit \(result.status)): \(said.isEmpty ? "no message" : said)")
        }
        return id
    }

    public func queue(names: [String]) async throws -> [String: SlurmCommands.QueueEntry] {
        let result = try await SchedulerCall.run("squeue", SlurmCommands.squeueArguments(names: names))
        guard result.status == 0 else {
            throw ExecutorError(.schedulerUnavailable, "squeue failed (exit \(result.status)): "
                                + result.stderr.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        return SlurmCommands.parseQueue(result.stdout)
    }

    public func accounting(jobs: [String]) async -> [String: (state: JobState, nodes: String)]? {
        guard let result = try? await SchedulerCall.run("sacct", SlurmCommands.sacctArguments(jobs: jobs)),
              result.status == 0 else { return nil }
        return SlurmCommands.parseAccounting(result.stdout)
    }

    public func cancel(jobs: [String]) throws {
        guard !jobs.isEmpty else { return }
        let result = try SchedulerCall.runBlocking("scancel", jobs)
        guard result.status == 0 else {
            throw ExecutorError(.schedulerUnavailable, "scancel failed (exit \(result.status)): "
                                + result.stderr.trimmingCharacters(in: .whitespacesAndNewlines))
        }
    }
}
