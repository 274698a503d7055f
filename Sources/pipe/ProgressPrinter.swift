import Foundation
import PipeCore
import PipeEngine
import PipeStages

/// The one progress printer of the CLI, on stderr: the engine's tasks as
/// they start, progress and finish (`pipe run`), and any other long job
/// (`pipe predict`, `pipe cache verify`) through `handler(for:)`. A redrawn
/// status line with a bar and ETA on a terminal, plain lines (at most one per
/// task every 10 s) otherwise.
final class ProgressPrinter: EngineObserver, @unchecked Sendable {
    private let lock = NSLock()
    private let isTerminal = isatty(STDERR_FILENO) != 0
    private var lastLine: [String: Date] = [:]
    private var started: [String: Date] = [:]

    func taskStarted(_ task: String, stage: String, reasons: [RunReason]) {
        lock.withLock {
            started[task] = Date()
            emit("\(task): running (\(RunReason.phrase(reasons, stage: stage)))", final: true)
        }
    }

    func taskProgress(_ task: String, fraction: Double?, message: String) {
        lock.withLock {
            let now = Date()
            let done = fraction.map { $0 >= 1 } ?? false
            if !isTerminal, !done, let last = lastLine[task], now.timeIntervalSince(last) < 10 { return }
            lastLine[task] = now
            var line = "\(task): "
            if let fraction {
                if isTerminal {
                    let width = 24, filled = Int((min(1, max(0, fraction)) * Double(width)).rounded())
                    line += "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled) + "] "
                }
                line += String(format: "%.0f%% ", fraction * 100)
                if let start = started[task], fraction > 0.01 {
                    let elapsed = now.timeIntervalSince(start)
                    line += "eta \(StageTable.duration(elapsed / fraction - elapsed)) "
                }
            }
            emit(line + message, final: false)
        }
    }

    /// Progress of a job outside the engine, shown like a task named `job`.
    func handler(for job: String) -> ProgressHandler {
        lock.withLock { started[job] = Date() }
        return { [self] fraction, message in taskProgress(job, fraction: fraction, message: message) }
    }

    /// Ends the status line of a job reported through `handler(for:)`.
    func finish(_ job: String) {
        lock.withLock {
            if isTerminal { FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8)) }
        }
    }

    func taskFinished(_ report: TaskReport) {
        guard report.status == .ran || report.status == .failed else { return }
        lock.withLock {
            let time = report.seconds.map { " in \(StageTable.duration($0))" } ?? ""
            emit("\(report.task): \(report.status.rawValue)\(time)", final: true)
        }
    }

    private func emit(_ line: String, final: Bool) {
        if isTerminal {
            let columns = 100
            let text = line.count > columns ? String(line.prefix(columns - 1)) + "…" : line
            FileHandle.standardError.write(Data("\r\u{1B}[2K\(text)\(final ? "\n" : "")".utf8))
        } else {
            FileHandle.standardError.write(Data("\(line)\n".utf8))
        }
    }
}
