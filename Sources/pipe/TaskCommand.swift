import ArgumentParser
import Foundation
import PipeCache
import PipeCore
import PipeEngine
import PipeSpec
import PipeStages

/// `pipe task exec BUNDLE`: what a batch job runs. Not for users: the Slurm
/// executor writes the bundle file and submits a script that execs this.
struct TaskCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "task", abstract: "Run tasks submitted by a batch executor (internal).",
        shouldDisplay: false, subcommands: [TaskExecCommand.self])
}

/// Runs each task of a bundle on this node exactly as a local run would,
/// writing its outcome after its record; a time-limit warning (SIGUSR1, from
/// `sbatch --signal`) or a cancel (SIGTERM) still writes an outcome saying so
/// for the task in progress and the ones not reached.
struct TaskExecCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exec", abstract: "Run the tasks of a bundle file written by 'pipe run --executor slurm'.")

    @Argument(help: "The bundle file (JSON) the executor wrote.") var bundle: String

    func run() async throws {
        let bundle: TaskBundle
        do {
            bundle = try JSONDecoder().decode(TaskBundle.self, from: Data(contentsOf: URL(fileURLWithPath: self.bundle)))
        } catch {
            throw Failure.usage("cannot read the task bundle '\(self.bundle)': \(error.localizedDescription); this node "
                                + "must see the workspace at the same path as the login node (a shared filesystem)")
        }
        let outcomes = OutcomeDirectory(cacheRoot: bundle.cacheRoot)
        WorkerSignals.install(tasks: bundle.tasks.map(\.key), outcomes: outcomes)
        let results: [WorkerOutcome]
        do {
            results = try await BundleWorker.run(bundle, kinds: KindCatalog.registry, registry: KindCatalog.stages,
                                                 pipeVersion: PipeVersion.string, willStart: { index, task in
                WorkerSignals.started(index)
                print("pipe: \(task.task) (key \(task.key.short)): running")
            }, keep: WorkerSignals.keeps)
        } catch let diagnostics as Diagnostics {
            throw Failure.spec(diagnostics)
        }
        WorkerSignals.waitWhileStopping()
        var failed = 0
        for (task, outcome) in zip(bundle.tasks, results) {
            print("pipe: \(task.task): \(outcome.status.rawValue) in \(String(format: "%.1f", outcome.seconds))s")
            if outcome.status != .ran {
                failed += 1
                print("pipe: \(task.task) failed: \(outcome.message ?? "")")
                if let log = outcome.log, !log.isEmpty { print(log) }
            }
        }
        if failed > 0 { throw ExitCode(1) }
    }
}

/// The worker's signal handling: SIGUSR1 (the job's time limit is near) and
/// SIGTERM/SIGINT (cancelled) end the running command, write the outcome of
/// the task in progress (timed out / cancelled) and of every task not yet
/// started, and exit. Nothing partial reaches the cache: outputs enter it
/// only by rename once complete, and the record is written last.
enum WorkerSignals {
    nonisolated(unsafe) private static var sources: [DispatchSourceSignal] = []
    private static let lock = NSLock()
    nonisolated(unsafe) private static var keys: [Digest] = []
    nonisolated(unsafe) private static var current = 0
    nonisolated(unsafe) private static var directory: OutcomeDirectory?
    nonisolated(unsafe) private static var stopping = false

    static func install(tasks: [Digest], outcomes: OutcomeDirectory) {
        lock.withLock {
            keys = tasks
            directory = outcomes
        }
        for signo in [SIGUSR1, SIGTERM, SIGINT] {
            signal(signo, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signo, queue: .global())
            source.setEventHandler { stop(signo) }
            source.resume()
            sources.append(source)
        }
    }

    static func started(_ index: Int) { lock.withLock { current = index } }

    /// Whether the worker writes `outcome`: not once a signal is stopping the bundle, unless the
    /// task ran (its command then failed because it was stopped; `stop` writes why instead).
    static func keeps(_ outcome: WorkerOutcome) -> Bool { lock.withLock { !stopping || outcome.status == .ran } }

    /// Never returns while a signal is stopping the bundle: the handler writes the outcomes of
    /// the tasks it stopped and exits, and the worker, whose task just ended, must not exit first.
    static func waitWhileStopping() {
        guard lock.withLock({ stopping }) else { return }
        while true { pause() }
    }

    private static func stop(_ signo: Int32) -> Never {
        let (keys, current, directory) = lock.withLock {
            stopping = true
            return (Self.keys, Self.current, Self.directory)
        }
        FileHandle.standardError.write(Data("pipe: \(signo == SIGUSR1 ? "time limit reached" : "cancelled"): stopping\n".utf8))
        CommandRunner.stopAll(timeout: Double(CommandRunner.gracePeriod) + 2)
        if let directory {
            for (index, key) in keys.enumerated().dropFirst(current) where directory.read(key) == nil {
                let status: WorkerOutcome.Status = index > current ? .notStarted : signo == SIGUSR1 ? .timedOut : .cancelled
                try? directory.write(WorkerOutcome(key: key, status: status))
            }
        }
        exit(128 + signo)
    }
}
