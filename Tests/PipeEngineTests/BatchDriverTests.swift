import EngineTestSupport
import Foundation
import PipeCache
import PipeCore
import PipeEngine
import PipeSpec
import PipeStages
import Testing
import TestSupport

/// A scripted scheduler: each submission ends as its script says, and a job
/// that "runs" runs its bundle in this process through the same worker code
/// as `pipe task exec`. Counts every call, as a fake sbatch on PATH would.
final class FakeBackend: JobBackend, @unchecked Sendable {
    enum Ending {
        /// Runs the bundle, then COMPLETED.
        case run
        /// Never runs; the queue reports this state (nil: the job vanished from squeue and sacct).
        case end(JobState?, nodes: String)
        /// Stays RUNNING until cancelled.
        case hang
        /// Runs the bundle, but sbatch's reply is lost: `submit` throws a timeout.
        case lostReply
    }

    private let lock = NSLock()
    private let script: @Sendable (Int) -> Ending
    private var states: [String: JobState] = [:]
    private(set) var submissions: [JobSubmission] = []
    private(set) var queueCalls = 0
    private(set) var accountingCalls = 0
    private(set) var cancelCalls: [[String]] = []

    /// `script(n)`: how the n-th submission (from 0) ends.
    init(_ script: @escaping @Sendable (Int) -> Ending = { _ in .run }) { self.script = script }

    func submit(_ job: JobSubmission) async throws -> String {
        let (number, id) = lock.withLock { () -> (Int, String) in
            submissions.append(job)
            let id = "\(1000 + submissions.count)"
            comments[id] = job.token
            return (submissions.count - 1, id)
        }
        let ending = script(number)
        switch ending {
        case .run, .lostReply:
            let file = String(job.scriptPath.dropLast(3)) + ".json"
            let bundle = try JSONDecoder().decode(TaskBundle.self, from: Data(contentsOf: URL(fileURLWithPath: file)))
            _ = try await BundleWorker.run(bundle, kinds: StageRegistry.standard.kinds, registry: .standard,
                                           pipeVersion: "test")
            lock.withLock { states[id] = .completed }
        case .end(let state, let nodes):
            // A nil state: the job vanished, squeue no longer lists it.
            if let state { lock.withLock { states[id] = state; nodeLists[id] = nodes } }
        case .hang:
            lock.withLock { states[id] = .active }
        }
        if case .lostReply = ending {
            throw ExecutorError(.schedulerUnavailable,
                                "sbatch: error: Batch job submission failed: Socket timed out on send/recv operation")
        }
        return id
    }

    private var nodeLists: [String: String] = [:]
    private var comments: [String: String] = [:]

    func queue(names: [String]) async throws -> [String: SlurmCommands.QueueEntry] {
        lock.withLock {
            queueCalls += 1
            var entries: [String: SlurmCommands.QueueEntry] = [:]
            for (id, state) in states {
                entries[id] = .init(state: state, nodes: nodeLists[id] ?? "n0", reason: "None", comment: comments[id] ?? "")
            }
            return entries
        }
    }

    func accounting(jobs: [String]) async -> [String: (state: JobState, nodes: String)]? {
        lock.withLock { accountingCalls += 1 }
        return nil  // accounting off, as on the test cluster
    }

    func cancel(jobs: [String]) throws {
        lock.withLock {
            cancelCalls.append(jobs)
            for id in jobs { states[id] = .cancelled }
        }
    }

    var submitted: Int { lock.withLock { submissions.count } }
}

private func slurmRun(_ fixture: EngineFixture, _ spec: String, backend: FakeBackend, bundleSeconds: Double = 600)
    async throws -> (RunReport, SlurmExecutor) {
    let executor = SlurmExecutor(settings: SlurmSettings(
        pipeBinary: "/unused/pipe", specFile: fixture.dir.file(spec).path, overrides: [], cacheRoot: fixture.cacheRoot,
        outputsRoot: fixture.dir.path, workingDirectory: fixture.dir.path, pollInterval: 0.05...0.2,
        bundleSeconds: bundleSeconds), backend: backend)
    let options = EngineOptions(jobs: 1000, outputsRoot: fixture.dir.path, pipeVersion: "test", executor: executor)
    let report = try await Engine(spec: try fixture.load(spec), cache: try Cache(root: fixture.cacheRoot),
                                  registry: .standard, options: options).execute()
    return (report, executor)
}


@Test func twoHundredTasksCostBundlesAndOneQueueCallPerTickWithLocalDigests() async throws {
    let local = try EngineFixture(), batch = try EngineFixture()
    defer { local.remove(); batch.remove() }
    try local.write("p.yaml", fanOutSpec(200))
    try batch.write("p.yaml", fanOutSpec(200))
    let expected = try await local.run("p.yaml")
    let backend = FakeBackend()
    let (report, _) = try await slurmRun(batch, "p.yaml", backend: backend)
    #expect(!report.failed, "\(report.tasks.compactMap(\.error).prefix(3))")
    #expect(report.tasks(.ran).count == 201)
    // Same keys and bit-identical outputs as the local run.
    let outputs = { (r: RunReport) in Dictionary(uniqueKeysWithValues: r.tasks.map { ($0.task, [$0.key, $0.output]) }) }
    #expect(outputs(report) == outputs(expected))
    // 200 command tasks at 60 s estimated each, bundled by 600 s: 20 jobs, plus one for `all`. Tasks
    // are bundled per tick, so when the 200 reach the executor across two ticks (a loaded machine)
    // the stragglers make one more, smaller bundle: never one job per task.
    #expect((21...23).contains(backend.submitted), "\(backend.submitted) jobs")
    #expect(report.tasks.allSatisfy { $0.job != nil })
    // Polling: about one squeue per tick, not per task; no sacct (every job left a record).
    #expect(backend.queueCalls < 40, "\(backend.queueCalls) squeue calls")
    #expect(backend.accountingCalls == 0)
    #expect(JobJournal(cacheRoot: batch.cacheRoot).all().isEmpty)
}

@Test func nodeFailureResubmitsOnceExcludingTheNodeWithoutFailing() async throws {
    let fixture = try EngineFixture()
    defer { fixture.remove() }
    try fixture.write("p.yaml", fanOutSpec(2))
    let backend = FakeBackend { $0 == 0 ? .end(.nodeFailed, nodes: "bad7") : .run }
    let (report, _) = try await slurmRun(fixture, "p.yaml", backend: backend)
    #expect(!report.failed, "\(report.tasks.compactMap(\.error))")
    #expect(backend.submitted == 3)  // the lost bundle again, then `all`
    #expect(backend.submissions[1].excludedNodes == ["bad7"])
}

/// sbatch took the job but its reply never arrived (a timeout): pipe finds the job by
/// its token in the queue and follows it, instead of submitting the task again.
@Test func jobWhoseSbatchReplyWasLostIsFoundByItsTokenNotSubmittedTwice() async throws {
    let fixture = try EngineFixture()
    defer { fixture.remove() }
    try fixture.write("p.yaml", fanOutSpec(2))
    let backend = FakeBackend { $0 == 0 ? .lostReply : .run }
    let (report, _) = try await slurmRun(fixture, "p.yaml", backend: backend)
    #expect(!report.failed, "\(report.tasks.compactMap(\.error))")
    #expect(backend.submitted == 2)  // the bundle of both tasks once, then `all`
    #expect(report.tasks.filter { $0.task.hasPrefix("each[") }.allSatisfy { $0.job == "1001" })
    #expect(Set(backend.submissions.map(\.token)).count == 2, "a token per submission")
}

@Test func nodeFailureExcludesEveryNodeOfTheHostlist() async throws {
    let fixture = try EngineFixture()
    defer { fixture.remove() }
    try fixture.write("p.yaml", fanOutSpec(1))
    let backend = FakeBackend { $0 == 0 ? .end(.nodeFailed, nodes: "n[08-10,7],gpu5") : .run }
    let (report, _) = try await slurmRun(fixture, "p.yaml", backend: backend)
    #expect(!report.failed, "\(report.tasks.compactMap(\.error))")
    #expect(backend.submissions[1].excludedNodes == ["n08", "n09", "n10", "n7", "gpu5"])
    #expect(SlurmCommands.sbatchArguments(backend.submissions[1]).contains("--exclude=gpu5,n08,n09,n10,n7"))
}

@Test func vanishedJobIsAskedOfAccountingOnceThenResubmitted() async throws {
    let fixture = try EngineFixture()
    defer { fixture.remove() }
    try fixture.write("p.yaml", fanOutSpec(2))
    let backend = FakeBackend { $0 == 0 ? .end(nil, nodes: "") : .run }
    let (report, _) = try await slurmRun(fixture, "p.yaml", backend: backend)
    #expect(!report.failed)
    #expect(backend.accountingCalls == 1)
    #expect(backend.submitted == 3)
}

@Test func jobThatCompletedWithoutAResultFails() async throws {
    let fixture = try EngineFixture()
    defer { fixture.remove() }
    try fixture.write("p.yaml", fanOutSpec(1))
    let backend = FakeBackend { _ in .end(.completed, nodes: "n1") }
    let (report, _) = try await slurmRun(fixture, "p.yaml", backend: backend)
    let failed = try #require(report.tasks.first { $0.task == "each[0]" })
    #expect(failed.status == .failed)
    #expect(failed.error?.contains("without a result") == true)
    #expect(failed.error?.contains("log: ") == true)
    #expect(report.tasks(.skipped) == ["all"])
}

/// Two command stages that hit one limit once: `raised` has a cap to raise it to, `capped` has none.
private func limitSpec(raised: String, capped: String) -> String {
    """
    pipeline: limits
    stages:
      raised: {kind: command, cmd: "echo raised > out.txt", outs: [out.txt], resources: {\(raised)}}
      capped: {kind: command, cmd: "echo capped > out.txt", outs: [out.txt], resources: {\(capped)}}
    """
}

@Test func timeLimitIsRaisedUpToTheStageCap() async throws {
    let fixture = try EngineFixture()
    defer { fixture.remove() }
    try fixture.write("p.yaml", limitSpec(raised: "time: 10m, max_time: 15m", capped: "time: 10m"))
    let backend = FakeBackend { number in number < 2 ? .end(.timedOut, nodes: "n1") : .run }
    let (report, _) = try await slurmRun(fixture, "p.yaml", backend: backend, bundleSeconds: 0)
    #expect(report.tasks(.ran) == ["raised"], "\(report.tasks.map { ($0.task, $0.error ?? "") })")
    let capped = try #require(report.tasks.first { $0.task == "capped" })
    #expect(capped.error?.contains("reached its time limit") == true)
    #expect(capped.error?.contains("resources.time") == true)
    #expect(backend.submissions.last?.resources.minutes == 15)
}

@Test func outOfMemoryIsRaisedUpToTheStageCap() async throws {
    let fixture = try EngineFixture()
    defer { fixture.remove() }
    try fixture.write("p.yaml", limitSpec(raised: "mem: 1G, max_mem: 3G", capped: "mem: 1G"))
    // Both out of memory once, then `raised` (twice 1G, capped at 3G) runs; `capped` has no cap to raise to.
    let backend = FakeBackend { number in number < 2 ? .end(.outOfMemory, nodes: "n1") : .run }
    let (report, _) = try await slurmRun(fixture, "p.yaml", backend: backend, bundleSeconds: 0)
    #expect(report.tasks(.ran) == ["raised"], "\(report.tasks.map { ($0.task, $0.error ?? "") })")
    let capped = try #require(report.tasks.first { $0.task == "capped" })
    #expect(capped.error?.contains("ran out of memory (1024M)") == true, "\(capped.error ?? "")")
    #expect(capped.error?.contains("resources.mem") == true)
    #expect(backend.submitted == 3)
    #expect(backend.submissions.last?.resources.memMB == 2048)
}

@Test func preemptedJobIsResubmittedWithoutCountingAsAFailure() async throws {
    let fixture = try EngineFixture()
    defer { fixture.remove() }
    try fixture.write("p.yaml", fanOutSpec(2))
    let backend = FakeBackend { $0 == 0 ? .end(.preempted, nodes: "n[3-4]") : .run }
    let (report, _) = try await slurmRun(fixture, "p.yaml", backend: backend)
    #expect(!report.failed, "\(report.tasks.compactMap(\.error))")
    #expect(backend.submitted == 3)  // the preempted bundle again, then `all`
    #expect(backend.submissions[1].excludedNodes == ["n3", "n4"])
}

@Test func cancellingMakesOneScancelWithEveryJob() async throws {
    let fixture = try EngineFixture()
    defer { fixture.remove() }
    try fixture.write("p.yaml", fanOutSpec(3))
    let backend = FakeBackend { _ in .hang }
    let executor = SlurmExecutor(settings: SlurmSettings(
        pipeBinary: "/unused/pipe", specFile: fixture.dir.file("p.yaml").path, overrides: [],
        cacheRoot: fixture.cacheRoot, outputsRoot: fixture.dir.path, workingDirectory: fixture.dir.path,
        pollInterval: 0.05...0.2, bundleSeconds: 0), backend: backend)
    let options = EngineOptions(jobs: 100, outputsRoot: fixture.dir.path, pipeVersion: "test", executor: executor)
    let engine = Engine(spec: try fixture.load("p.yaml"), cache: try Cache(root: fixture.cacheRoot), registry: .standard,
                        options: options)
    let run = Task { try await engine.execute() }
    // Every job is submitted and tracked once the journal has its id (a generous bound: with the
    // whole suite running in parallel on 2 cores, 30 s was once not enough, and 180 s once, while a
    // build ran beside the suite and the engine's tasks waited behind the tests blocking the pool).
    let deadline = Date().addingTimeInterval(600)
    while JobJournal(cacheRoot: fixture.cacheRoot).all().filter({ $0.jobID != nil }).count < 3, Date() < deadline {
        try await Task.sleep(nanoseconds: 20_000_000)
    }
    #expect(backend.submitted == 3)
    let cancelled = executor.cancelAll(timeout: 5)
    #expect(backend.cancelCalls.count == 1)
    #expect(Set(backend.cancelCalls.first ?? []) == Set(cancelled))
    #expect(cancelled.count == 3)
    let report = try await run.value
    #expect(report.tasks(.failed).count == 3)
    #expect(JobJournal(cacheRoot: fixture.cacheRoot).all().isEmpty)
    #expect(report.tasks(.ran).isEmpty)
}
