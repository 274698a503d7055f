import Foundation
import PipeStages

/// SIGINT, SIGTERM and SIGHUP end `pipe run` cleanly: every running command
/// stage gets SIGTERM (SIGKILL after the grace period), no new one starts,
/// and pipe exits with 128 + the signal. Tasks in flight leave no partial
/// object: the cache only ever takes complete outputs by rename.
enum StopSignals {
    nonisolated(unsafe) private static var sources: [DispatchSourceSignal] = []

    static func install() {
        for signo in [SIGINT, SIGTERM, SIGHUP] {
            signal(signo, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signo, queue: .global())
            source.setEventHandler {
                FileHandle.standardError.write(Data("pipe: stopping: ending running commands\n".utf8))
                CommandRunner.stopAll(timeout: Double(CommandRunner.gracePeriod) + 2)
                exit(128 + signo)
            }
            source.resume()
            sources.append(source)
        }
    }
}
