import Foundation
import PipeSpec

/// How a batch job stands, mapped from Slurm's state words in one place.
public enum JobState: Sendable, Equatable {
    /// Pending, running, completing, suspended, requeued: not over yet.
    case active
    case completed
    /// The batch script exited non-zero (`FAILED`); Slurm's exit code as `code:signal`.
    case failed(String)
    case timedOut
    case outOfMemory
    /// The node died under it (`NODE_FAIL`, `BOOT_FAIL`).
    case nodeFailed
    case preempted
    case cancelled
    /// Slurm has no word we know for it; treated as lost, never as success.
    case unknown(String)

    public var isActive: Bool { self == .active }

    /// A job the scheduler lost through no fault of the task: resubmitted without counting against retries.
    public var isInfrastructureLoss: Bool {
        switch self {
        case .nodeFailed, .preempted, .unknown: return true
        default: return false
        }
    }
}

/// The Slurm command lines pipe runs and the parsing of what they print:
/// pure functions, tested on text fixtures.
public enum SlurmCommands {
    /// Maps a state from `squeue %T` or `sacct State` (`CANCELLED by 0` reads as `CANCELLED`).
    public static func state(_ word: String, exitCode: String = "") -> JobState {
        let name = word.split(separator: " ").first.map(String.init)?.uppercased() ?? ""
        switch name {
        case "PENDING", "CONFIGURING", "RUNNING", "COMPLETING", "SUSPENDED", "REQUEUED", "REQUEUE_FED", "REQUEUE_HOLD",
             "RESIZING", "SIGNALING", "STAGE_OUT", "RESV_DEL_HOLD", "SPECIAL_EXIT", "STOPPED":
            return .active
        case "COMPLETED": return .completed
        case "FAILED": return .failed(exitCode)
        case "TIMEOUT", "DEADLINE": return .timedOut
        case "OUT_OF_MEMORY": return .outOfMemory
        case "NODE_FAIL", "BOOT_FAIL": return .nodeFailed
        case "PREEMPTED": return .preempted
        case "CANCELLED": return .cancelled
        default: return .unknown(word)
        }
    }

    /// One job as `squeue` lists it.
    public struct QueueEntry: Sendable, Equatable {
        public var state: JobState
        /// Slurm's compressed hostlist (`node[01-03]`); `SlurmHostlist` expands it.
        public var nodes: String
        public var reason: String
        /// `--comment`: the submission's token (`JobSubmission.token`) for pipe's jobs.
        public var comment: String

        public init(state: JobState, nodes: String, reason: String, comment: String = "") {
            self.state = state
            self.nodes = nodes
            self.reason = reason
            self.comment = comment
        }
    }

    /// One `squeue` for every job of these names (the whole run), ended ones
    /// included while Slurm still remembers them (`--states=all`), with each
    /// job's comment, which finds a job whose id pipe never recorded.
    public static func squeueArguments(names: [String]) -> [String] {
        ["--noheader", "--states=all", "--name=\(names.joined(separator: ","))", "--format=%A|%T|%N|%r|%k"]
    }

    /// A Slurm job id as pipe uses it: ASCII digits only (it goes into scancel's and sacct's arguments).
    public static func isJobID<Text: StringProtocol>(_ text: Text) -> Bool {
        !text.isEmpty && text.utf8.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
    }

    /// Job id -> entry, from `squeue --format=%A|%T|%N|%r|%k`; lines it cannot read are ignored.
    public static func parseQueue(_ text: String) -> [String: QueueEntry] {
        var jobs: [String: QueueEntry] = [:]
        for line in text.split(whereSeparator: \.isNewline) {
            let fields = line.split(separator: "|", omittingEmptySubsequences: false).map {
                $0.trimmingCharacters(in: .whitespaces)
            }
            guard fields.count >= 2, !fields[0].isEmpty, isJobID(fields[0]) else { continue }
            jobs[fields[0]] = QueueEntry(state: state(fields[1]), nodes: fields.count > 2 ? fields[2] : "",
                                         reason: fields.count > 3 ? fields[3] : "",
                                         comment: fields.count > 4 ? fields[4...].joined(separator: "|") : "")
        }
        return jobs
    }

    /// One `sacct` for the jobs that left the queue without a result.
    public static func sacctArguments(jobs: [String]) -> [String] {
        ["--noheader", "--parsable2", "--allocations", "--jobs=\(jobs.joined(separator: ","))",
         "--format=JobIDRaw,State,ExitCode,NodeList"]
    }

    /// Job id -> (state, nodes), from `sacct --parsable2 --format=JobIDRaw,State,ExitCode,NodeList`.
    public static func parseAccounting(_ text: String) -> [String: (state: JobState, nodes: String)] {
        var jobs: [String: (state: JobState, nodes: String)] = [:]
        for line in text.split(whereSeparator: \.isNewline) {
            let fields = line.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
            guard fields.count >= 3, !fields[0].isEmpty, isJobID(fields[0]) else { continue }
            jobs[fields[0]] = (state(fields[1], exitCode: fields[2]), fields.count > 3 ? fields[3] : "")
        }
        return jobs
    }

    /// The job id `sbatch --parsable` printed (`123` or `123;cluster`); nil if none.
    public static func parseSubmitted(_ text: String) -> String? {
        let first = text.split(whereSeparator: \.isNewline).last.map(String.init)?
            .split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces) }
        guard let first, isJobID(first) else { return nil }
        return first
    }

    /// Seconds before the time limit at which Slurm sends SIGUSR1 (`--signal`),
    /// so a worker stopped at its limit still writes an outcome saying so.
    public static func warningSeconds(minutes: Int) -> Int { max(10, min(120, minutes * 6)) }

    /// `sbatch` arguments for one job; never a shell string (DESIGN §4a).
    public static func sbatchArguments(_ job: JobSubmission) -> [String] {
        let resources = job.resources
        var arguments = ["--parsable", "--job-name=\(job.name)", "--comment=\(job.token)", "--output=\(job.logPath)",
                         "--chdir=\(job.directory)"]
        if let cpus = resources.cpus { arguments.append("--cpus-per-task=\(cpus)") }
        if let mem = resources.memMB { arguments.append("--mem=\(mem)M") }
        if let minutes = resources.minutes {
            arguments.append("--time=\(StageResources.slurmTime(minutes))")
            arguments.append("--signal=B:USR1@\(warningSeconds(minutes: minutes))")
        }
        if let gpus = resources.gpus { arguments.append("--gpus=\(gpus)") }
        if let gres = resources.gres { arguments.append("--gres=\(gres)") }
        if let partition = resources.partition { arguments.append("--partition=\(partition)") }
        if let account = resources.account { arguments.append("--account=\(account)") }
        if let qos = resources.qos { arguments.append("--qos=\(qos)") }
        if !job.excludedNodes.isEmpty { arguments.append("--exclude=\(job.excludedNodes.sorted().joined(separator: ","))") }
        arguments += resources.extra ?? []
        arguments.append(job.scriptPath)
        return arguments
    }

    /// The batch script: `exec` the worker, so it is the process Slurm signals.
    public static func script(pipe: String, bundle: String, tasks: [String]) -> String {
        """
        #!/bin/sh
        # pipe: \(tasks.joined(separator: " ").replacingOccurrences(of: "\n", with: " "))
        exec \(ShellQuoteContext.singleQuoted(pipe)) task exec \(ShellQuoteContext.singleQuoted(bundle))

        """
    }
}

/// One job to submit: a bundle of tasks, its script, where its log goes, what it asks for.
public struct JobSubmission: Sendable, Equatable {
    /// The job name (`--job-name`): the run's name, so one `squeue --name` covers the run.
    public var name: String
    /// `--comment`: unique to this submission and kept in the journal before
    /// `sbatch` runs, so a job whose id pipe never learnt (it died during
    /// `sbatch`, or the reply was lost) is found in `squeue` by its comment
    /// and followed or cancelled, never submitted twice.
    public var token: String
    public var scriptPath: String
    public var logPath: String
    /// The worker's working directory (`--chdir`): the planner's, on the shared filesystem.
    public var directory: String
    public var resources: StageResources
    public var excludedNodes: Set<String>

    public init(name: String, token: String, scriptPath: String, logPath: String, directory: String,
                resources: StageResources, excludedNodes: Set<String>) {
        self.name = name
        self.token = token
        self.scriptPath = scriptPath
        self.logPath = logPath
        self.directory = directory
        self.resources = resources
        self.excludedNodes = excludedNodes
    }
}
