import Foundation
import PipeCore
import PipeSpec
import PipeStages

/// The polling driver under a batch executor: parks each task until its job
/// ended, submits what became ready once per tick (bundled), and per tick
/// makes ONE queue query for the whole run and ONE scan of the outcomes
/// directory; accounting is asked only about jobs that left the queue
/// without an outcome. Each kind of ending is answered its own way (see `settle`).
actor BatchDriver {
    /// One task waiting for its job.
    final class Waiting: @unchecked Sendable {
        let invocation: TaskInvocation
        let continuation: CheckedContinuation<TaskEnd, Error>
        let submitted: @Sendable (String) -> Void
        var resources: StageResources
        var excluded: Set<String> = []
        var losses = 0
        var attempt = 0
        /// Resubmitted with raised limits: goes in a job of its own.
        var alone = false
        /// The worker stopped it (time limit, cancel) or never reached it; decided when its job has ended.
        var stopped: WorkerOutcome.Status?

        init(_ invocation: TaskInvocation, continuation: CheckedContinuation<TaskEnd, Error>,
             submitted: @escaping @Sendable (String) -> Void) {
            self.invocation = invocation
            self.continuation = continuation
            self.submitted = submitted
            resources = invocation.resources
        }
    }

    /// One submitted job and the tasks still waiting on it.
    struct Job {
        var id: String
        var name: String
        var log: String
        var tasks: [Waiting]
        /// Found in the journal of an earlier run: if it ended without an outcome, resubmit rather than fail.
        var reattached = false
        /// Ticks it has been out of the queue without outcomes (a shared filesystem may show files late).
        var endedTicks = 0
    }

    let settings: SlurmSettings
    let backend: any JobBackend
    let outcomes: OutcomeDirectory
    let journal: JobJournal
    let runName: String
    nonisolated let tracker = InFlightJobs()
    private var arrivals: [Waiting] = []
    /// Tasks an earlier pipe submitted without recording the job id: matched by token at the next poll.
    private var unidentified: [(waiting: Waiting, entry: JobJournal.Entry)] = []
    private var jobs: [String: Job] = [:]
    private var driving = false
    private var interval: Double
    private var bundles = 0
    /// Whether the cache was checked for a filesystem the nodes share, and what was wrong.
    private var sharedFilesystem: (checked: Bool, problem: ExecutorError?) = (false, nil)
    private var queueFailures = 0

    init(settings: SlurmSettings, backend: any JobBackend) {
        self.settings = settings
        self.backend = backend
        outcomes = OutcomeDirectory(cacheRoot: settings.cacheRoot)
        journal = JobJournal(cacheRoot: settings.cacheRoot)
        runName = "pipe-" + String(format: "%08x", UInt32.random(in: 0...UInt32.max))
        interval = settings.pollInterval.lowerBound
    }

    func run(_ invocation: TaskInvocation, submitted: @escaping @Sendable (String) -> Void) async throws -> TaskEnd {
        try await withCheckedThrowingContinuation { continuation in
            let waiting = Waiting(invocation, continuation: continuation, submitted: submitted)
            Task { await self.enqueue(waiting) }
        }
    }

    private func enqueue(_ waiting: Waiting) {
        if tracker.isStopping {
            waiting.continuation.resume(throwing: ExecutorError(.interrupted, "pipe is stopping; not submitted"))
            return
        }
        if let entry = journal.read(waiting.invocation.key), entry.jobID != nil || entry.token != nil {
            if let id = entry.jobID {
                reattach(waiting, to: id, entry: entry)
            } else {
                unidentified.append((waiting, entry))
            }
        } else {
            arrivals.append(waiting)
        }
        if !driving {
            driving = true
            Task { await drive() }
        }
    }

    /// An earlier pipe submitted it: wait for that job instead of submitting it twice.
    private func reattach(_ waiting: Waiting, to id: String, entry: JobJournal.Entry) {
        outcomes.remove(waiting.invocation.key)  // a failure it reported before is not this run's answer
        var job = jobs[id] ?? Job(id: id, name: entry.jobName, log: entry.log, tasks: [], reattached: true)
        job.tasks.append(waiting)
        jobs[id] = job
        tracker.insert(id, name: entry.jobName, keys: [waiting.invocation.key])
        waiting.submitted(id)
    }

    /// Matches the tasks submitted without a recorded id to their jobs by token, in
    /// this poll's `squeue`: a match is reattached (its id journaled), the rest submitted again.
    private func identify(in queue: [String: SlurmCommands.QueueEntry]) {
        guard !unidentified.isEmpty else { return }   // every poll calls this; most have nothing to match
        let pending = unidentified
        unidentified = []
        for (item, entry) in zip(pending, JobJournal.identified(pending.map(\.entry), in: queue)) {
            if let id = entry.jobID {
                try? journal.write(entry)
                reattach(item.waiting, to: id, entry: entry)
            } else {
                arrivals.append(item.waiting)
            }
        }
    }

    private func drive() async {
        while !(arrivals.isEmpty && jobs.isEmpty && unidentified.isEmpty) {
            try? await Task.sleep(nanoseconds: UInt64(interval * 1e9))
            if tracker.isStopping {
                failAll(ExecutorError(.interrupted, "pipe was interrupted; its Slurm jobs were cancelled"))
                break
            }
            await submitArrivals()
            if !jobs.isEmpty || !unidentified.isEmpty { await poll() }
        }
        driving = false
    }

    // MARK: submitting

    private func submitArrivals() async {
        guard !arrivals.isEmpty else { return }
        let batch = arrivals
        arrivals = []
        if !sharedFilesystem.checked {
            sharedFilesystem = (true, await SharedFilesystemCheck.problem(cacheRoot: settings.cacheRoot))
        }
        if let problem = sharedFilesystem.problem {
            for waiting in batch { waiting.continuation.resume(throwing: problem) }
            return
        }
        let alone = batch.filter(\.alone), together = batch.filter { !$0.alone }
        var groups = alone.map { [$0] }
        let invocations = together.map { waiting -> TaskInvocation in
            var invocation = waiting.invocation
            invocation.resources = waiting.resources
            return invocation
        }
        groups += TaskBundler.pack(invocations, targetSeconds: settings.bundleSeconds, maxTasks: settings.bundleMaxTasks)
            .map { $0.map { together[$0] } }
        for group in groups { await submit(group) }
    }

    private func submit(_ tasks: [Waiting]) async {
        bundles += 1
        for waiting in tasks { waiting.attempt += 1; waiting.stopped = nil }
        let first = tasks[0].invocation
        let label = Self.fileName(first.task) + (tasks.count > 1 ? "+\(tasks.count - 1)" : "")
        let directory = "\(settings.cacheRoot)/executor/jobs/\(runName)"
        let logs = "\(settings.cacheRoot)/executor/logs/\(runName)"
        let base = "\(directory)/\(bundles)-\(label)"
        let log = "\(logs)/\(bundles)-\(label).attempt\(tasks[0].attempt).log"
        let invocations = tasks.map { waiting -> TaskInvocation in
            var invocation = waiting.invocation
            invocation.resources = waiting.resources
            return invocation
        }
        let resources = TaskBundler.resources(of: invocations)
        let token = "\(runName)-\(bundles)-" + String(format: "%016llx", UInt64.random(in: 0...UInt64.max))
        let job = JobSubmission(name: runName, token: token, scriptPath: "\(base).sh", logPath: log,
                                directory: settings.workingDirectory, resources: resources,
                                excludedNodes: tasks.reduce(into: Set<String>()) { $0.formUnion($1.excluded) })
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try FileManager.default.createDirectory(atPath: logs, withIntermediateDirectories: true)
            let bundle = TaskBundle(specFile: settings.specFile, overrides: settings.overrides, cacheRoot: settings.cacheRoot,
                                    outputsRoot: settings.outputsRoot, tasks: invocations)
            try JSONEncoder().encode(bundle).write(to: URL(fileURLWithPath: "\(base).json"), options: .atomic)
            let script = SlurmCommands.script(pipe: settings.pipeBinary, bundle: "\(base).json", tasks: invocations.map(\.task))
            try Data(script.utf8).write(to: URL(fileURLWithPath: job.scriptPath), options: .atomic)
            chmod(job.scriptPath, 0o755)
            for invocation in invocations {
                outcomes.remove(invocation.key)
                try journal.write(.init(key: invocation.key, task: invocation.task, jobName: runName, jobID: nil,
                                        token: token, log: log))
            }
            let id = try await submitWithRetry(job)
            tracker.insert(id, name: runName, keys: invocations.map(\.key))
            for invocation in invocations {
                try? journal.write(.init(key: invocation.key, task: invocation.task, jobName: runName, jobID: id,
                                         token: token, log: log))
            }
            jobs[id] = Job(id: id, name: runName, log: log, tasks: tasks)
            for waiting in tasks { waiting.submitted(id) }
            if tracker.isStopping { _ = try? backend.cancel(jobs: [id]) }
        } catch {
            for waiting in tasks {
                journal.remove(waiting.invocation.key)
                waiting.continuation.resume(throwing: error)
            }
        }
    }

    /// `sbatch`, retried with backoff when the controller is busy or unreachable (after 1, 2 and 4 s).
    /// A failed `sbatch` may still have submitted the job (its reply timed out or was
    /// lost): before giving up or trying again, the queue is asked for the job's token.
    private func submitWithRetry(_ job: JobSubmission) async throws -> String {
        var delay: Double = 1
        while true {
            do {
                return try await backend.submit(job)
            } catch {
                let queue = (try? await backend.queue(names: [job.name])) ?? [:]
                if let id = queue.first(where: { $0.value.comment == job.token })?.key { return id }
                guard let failure = error as? ExecutorError, delay <= 4, Self.isTransient(failure) else { throw error }
                try? await Task.sleep(nanoseconds: UInt64(delay * 1e9))
                delay *= 2
            }
        }
    }

    /// Controller busy, timeouts, connection problems: worth another try. A refused request is not.
    static func isTransient(_ error: ExecutorError) -> Bool {
        let text = error.message.lowercased()
        return ["timed out", "timeout", "try again", "busy", "connection", "unable to contact", "socket"].contains {
            text.contains($0)
        }
    }

    /// A task name as a file name: `tile[img 1]` -> `tile_img_1_`.
    static func fileName(_ task: String) -> String {
        String(task.map { $0.isASCII && ($0.isLetter || $0.isNumber) || $0 == "-" || $0 == "." ? $0 : "_" }.prefix(80))
    }

    // MARK: polling

    private func poll() async {
        let names = Array(Set(jobs.values.map(\.name) + unidentified.map(\.entry.jobName))).sorted()
        let queue: [String: SlurmCommands.QueueEntry]
        do {
            queue = try await backend.queue(names: names)
            queueFailures = 0
            identify(in: queue)
        } catch {
            queueFailures += 1
            if queueFailures >= 10 { failAll(error) }
            interval = min(interval * 2, settings.pollInterval.upperBound)
            return
        }
        let finished = outcomes.scan()
        var progressed = false
        var ended: [Job] = []
        for (id, var job) in jobs {
            job.tasks.removeAll { waiting in
                let key = waiting.invocation.key
                guard finished.contains(key), let outcome = outcomes.read(key) else { return false }
                outcomes.remove(key)
                switch outcome.status {
                case .ran:
                    finish(waiting, .ran(job: id))
                case .failed:
                    finish(waiting, .failed(job: id, message: "\(outcome.message ?? "failed") (slurm job \(id) on "
                                            + "\(outcome.host), attempt \(waiting.attempt); log: \(job.log))",
                                            log: outcome.log ?? ""))
                case .timedOut, .cancelled, .notStarted:
                    waiting.stopped = outcome.status
                    return false
                }
                progressed = true
                return true
            }
            if job.tasks.isEmpty {
                jobs[id] = nil
                tracker.remove(id)
                continue
            }
            if let entry = queue[id], entry.state.isActive {
                jobs[id] = job
                continue
            }
            job.endedTicks += 1
            jobs[id] = job
            // A job that says it completed may have written outcomes not yet visible here: look twice more.
            let stillQuiet = job.tasks.contains { $0.stopped == nil } && job.endedTicks < 3
                && (queue[id]?.state == .completed || queue[id] == nil)
            if !stillQuiet { ended.append(job) }
        }
        if !ended.isEmpty {
            let unknown = ended.filter { queue[$0.id] == nil }.map(\.id)
            let accounting = unknown.isEmpty ? [:] : await backend.accounting(jobs: unknown)
            for job in ended {
                let state = queue[job.id]?.state ?? accounting?[job.id]?.state
                let nodes = queue[job.id]?.nodes ?? accounting?[job.id]?.nodes ?? ""
                jobs[job.id] = nil
                tracker.remove(job.id)
                for waiting in job.tasks { settle(waiting, job: job, state: state, nodes: nodes) }
            }
            progressed = true
        }
        interval = progressed ? settings.pollInterval.lowerBound : min(interval * 1.5, settings.pollInterval.upperBound)
    }

    /// A task whose job ended without a `ran` or `failed` outcome for it.
    /// Lost jobs (node failure, preemption, vanished, or a task the bundle
    /// never reached) are resubmitted without counting against anything;
    /// time and memory limits are raised up to the stage's cap when it set
    /// one; anything else fails with the job's state and log.
    private func settle(_ waiting: Waiting, job: Job, state: JobState?, nodes: String) {
        let invocation = waiting.invocation
        let stateText = state.map { "\($0)" } ?? "vanished (not in squeue; sacct has no record)"
        if waiting.stopped == .notStarted {
            requeue(waiting)
            return
        }
        if job.reattached || state == nil || state?.isInfrastructureLoss == true {
            guard waiting.losses < settings.lossRetries else {
                finish(waiting, .failed(job: job.id, message: "\(invocation.task): slurm job \(job.id) was lost "
                                        + "(\(stateText)) \(waiting.losses + 1) times; giving up; log: \(job.log)",
                                        log: Self.tail(job.log)))
                return
            }
            waiting.losses += 1
            // A hostlist pipe cannot read, or an absurd one, excludes nothing: the loss retries still bound it.
            waiting.excluded.formUnion(SlurmHostlist.expand(nodes) ?? [])
            requeue(waiting)
            return
        }
        let timedOut = state == .timedOut || waiting.stopped == .timedOut
        if timedOut || state == .outOfMemory {
            let resources = waiting.resources
            if timedOut, let limit = resources.minutes, let cap = resources.maxMinutes, limit < cap {
                waiting.resources.minutes = min(cap, limit * 2)
                waiting.alone = true
                requeue(waiting)
            } else if !timedOut, let limit = resources.memMB, let cap = resources.maxMemMB, limit < cap {
                waiting.resources.memMB = min(cap, limit * 2)
                waiting.alone = true
                requeue(waiting)
            } else {
                let what = timedOut
                    ? "reached its time limit (\(resources.minutes.map(StageResources.slurmTime) ?? "the partition's"))"
                    : "ran out of memory (\(resources.memMB.map { "\($0)M" } ?? "the default"))"
                let field = timedOut ? "time" : "mem"
                finish(waiting, .failed(job: job.id, message: "\(invocation.task) \(what) in slurm job \(job.id); raise "
                                        + "'resources.\(field)' of stage '\(invocation.stage)', or set 'max_\(field)' to let "
                                        + "pipe raise it (resources are not part of the key); log: \(job.log)",
                                        log: Self.tail(job.log)))
            }
            return
        }
        let message: String
        switch state {
        case .cancelled?:
            message = "\(invocation.task): slurm job \(job.id) was cancelled outside this pipe (scancel?); log: \(job.log)"
        default:
            message = "\(invocation.task): slurm job \(job.id) ended (\(stateText)) without a result; the worker could "
                + "not run it: is the workspace on a filesystem the node \(nodes.isEmpty ? "" : "'\(nodes)' ")sees? log: \(job.log)"
        }
        finish(waiting, .failed(job: job.id, message: message, log: Self.tail(job.log)))
    }

    private func requeue(_ waiting: Waiting) {
        journal.remove(waiting.invocation.key)
        arrivals.append(waiting)
    }

    private func finish(_ waiting: Waiting, _ end: TaskEnd) {
        journal.remove(waiting.invocation.key)
        waiting.continuation.resume(returning: end)
    }

    private func failAll(_ error: Error) {
        for waiting in arrivals + unidentified.map(\.waiting) + jobs.values.flatMap(\.tasks) {
            waiting.continuation.resume(throwing: error)
        }
        arrivals = []
        unidentified = []
        jobs = [:]
    }

    static func tail(_ path: String, lines: Int = 20) -> String {
        CommandRunner.tailOfFile(URL(fileURLWithPath: path), lines: lines)
    }

    // MARK: cancelling

    nonisolated func cancelAll(timeout: Double) -> [String] {
        let (ids, names, keys) = tracker.stop()
        guard !ids.isEmpty else { return [] }
        try? backend.cancel(jobs: ids)
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let queue = Self.blocking { try? await self.backend.queue(names: names) }
            if let queue, !ids.contains(where: { queue[$0]?.state.isActive == true }) { break }
            usleep(300_000)
        }
        for key in keys { journal.remove(key) }
        return ids
    }

    private nonisolated static func blocking<T: Sendable>(_ body: @escaping @Sendable () async -> T) -> T {
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var result: T?
        Task.detached {
            result = await body()
            done.signal()
        }
        done.wait()
        return result!
    }
}

/// The jobs in flight, readable from a signal handler's thread.
final class InFlightJobs: @unchecked Sendable {
    private let lock = NSLock()
    private var jobs: [String: [Digest]] = [:]
    private var names: Set<String> = []
    private var stopping = false

    var isStopping: Bool { lock.withLock { stopping } }

    func insert(_ id: String, name: String, keys: [Digest]) {
        lock.withLock {
            jobs[id, default: []] += keys
            names.insert(name)
        }
    }

    func remove(_ id: String) { lock.withLock { _ = jobs.removeValue(forKey: id) } }

    /// Stops submissions; returns the jobs in flight, the run's names and their tasks' keys.
    func stop() -> (ids: [String], names: [String], keys: [Digest]) {
        lock.withLock {
            stopping = true
            return (jobs.keys.sorted(), names.sorted(), jobs.values.flatMap { $0 })
        }
    }
}
