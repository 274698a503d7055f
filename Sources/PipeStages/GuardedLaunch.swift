import CProcessGuard
import Foundation
import PipeCore

/// One command started under a guard process and waited for on a thread of
/// its own. The thread that forks the guard lives until the guard has been
/// reaped: Linux sends the parent-death signal when the forking *thread*
/// ends, so forking from a pool thread that may retire would kill the command.
final class GuardedLaunch: @unchecked Sendable {
    private let argv: [String]
    private let environment: [String: String]
    private let directory: String
    private let outputDescriptor: Int32
    private let lock = NSLock()
    private var guardPID: pid_t = 0
    private var stopRequested = false

    init(argv: [String], environment: [String: String], directory: String, outputDescriptor: Int32) {
        self.argv = argv
        self.environment = environment
        self.directory = directory
        self.outputDescriptor = outputDescriptor
    }

    /// Starts the command and returns its exit status (128 + signal when a signal ended it).
    func run() async throws -> Int32 {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Int32, Error>) in
            let thread = Thread { self.spawnAndWait(continuation) }
            thread.name = "pipe command \(argv[0])"
            thread.start()
        }
    }

    /// Asks the guard to end the command (SIGTERM, then SIGKILL after the grace period).
    func stop() {
        lock.lock()
        stopRequested = true
        let pid = guardPID
        lock.unlock()
        if pid > 0 { kill(pid, SIGTERM) }
    }

    private func spawnAndWait(_ continuation: CheckedContinuation<Int32, Error>) {
        let pid = withCStrings(argv) { cArgv in
            withCStrings(environment.map { "\($0.key)=\($0.value)" }) { cEnvironment in
                pipe_spawn_guarded(argv[0], cArgv, cEnvironment, directory, outputDescriptor, CommandRunner.gracePeriod)
            }
        }
        guard pid > 0 else {
            continuation.resume(throwing: StageError("cannot start '\(argv[0])': \(String(cString: strerror(errno)))"))
            return
        }
        lock.lock()
        guardPID = pid
        let stopNow = stopRequested
        lock.unlock()
        RunningCommands.shared.insert(self)
        if stopNow || RunningCommands.shared.isStopping { stop() }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        lock.lock()
        guardPID = 0
        lock.unlock()
        RunningCommands.shared.remove(self)
        continuation.resume(returning: ChildProcess.decode(status))
    }
}

/// The commands running now, so that pipe's signal handler can stop them all.
final class RunningCommands: @unchecked Sendable {
    static let shared = RunningCommands()
    private let lock = NSLock()
    private var launches: [ObjectIdentifier: GuardedLaunch] = [:]
    private var stopping = false

    var count: Int { lock.withLock { launches.count } }
    var isStopping: Bool { lock.withLock { stopping } }

    func insert(_ launch: GuardedLaunch) { lock.withLock { launches[ObjectIdentifier(launch)] = launch } }
    func remove(_ launch: GuardedLaunch) { _ = lock.withLock { launches.removeValue(forKey: ObjectIdentifier(launch)) } }

    func stopAll() {
        let running = lock.withLock {
            stopping = true
            return Array(launches.values)
        }
        running.forEach { $0.stop() }
    }
}

/// Calls `body` with a NULL-terminated C array of copies of `strings`.
private func withCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> R) -> R {
    let copies = strings.map { strdup($0) } + [nil]
    defer { copies.forEach { free($0) } }
    return copies.withUnsafeBufferPointer { body($0.baseAddress!) }
}
