import Foundation
import PipeStages

/// SIGINT, SIGTERM and SIGHUP end `pipe run` cleanly: every running command
/// stage gets SIGTERM (SIGKILL after the grace period), no new one starts,
/// and pipe exits with 128 + the signal. Tasks in flight leave no partial
/// object: the cache only ever takes complete outputs by rename.
enum StopSignals {
    nonisolated(unsafe) private static var sources: [DispatchSourceSignal] = []
    private static let lock = NSLock()
    nonisolated(unsafe) private static var received: Int32?
    nonisolated(unsafe) private static var cleanups: [@Sendable () -> Void] = []

    /// Work to do after the commands stopped and before pipe exits on a signal (cancelling batch jobs).
    static func beforeExit(_ cleanup: @escaping @Sendable () -> Void) { lock.withLock { cleanups.append(cleanup) } }

    static func install() {
        for signo in [SIGINT, SIGTERM, SIGHUP] {
            signal(signo, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signo, queue: .global())
            source.setEventHandler {
                let first = lock.withLock {
                    defer { received = received ?? signo }
                    return received == nil
                }
                guard first else { return }
                FileHandle.standardError.write(Data("pipe: stopping: ending running commands\n".utf8))
                stopAndExit()
            }
            source.resume()
            sources.append(source)
        }
    }

    /// Called when the run has returned: if it returned because a signal
    /// stopped its commands, exit as the signal handler would, not with the
    /// interrupted tasks' failure.
    static func exitIfStopping() {
        if lock.withLock({ received }) != nil { stopAndExit() }
    }

    private static func stopAndExit() -> Never {
        CommandRunner.stopAll(timeout: Double(CommandRunner.gracePeriod) + 2)
        for cleanup in lock.withLock({ cleanups }) { cleanup() }
        exit(128 + (lock.withLock { received } ?? SIGTERM))
    }
}
