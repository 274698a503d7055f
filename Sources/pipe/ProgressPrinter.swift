import Foundation
import PipeCore
import PipeEngine

/// Shows tasks as they start, progress and finish: a redrawn status line on
/// a terminal, plain lines (at most one per task every 10 s) otherwise.
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
            if !isTerminal, let last = lastLine[task], now.timeIntervalSince(last) < 10 { return }
            lastLine[task] = now
            var line = "\(task): "
            if let fraction {
                let width = 24, filled = Int((fraction * Double(width)).rounded())
                line += "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled) + "] "
                line += String(format: "%3.0f%% ", fraction * 100)
                if let start = started[task], fraction > 0.01 {
                    let elapsed = now.timeIntervalSince(start)
                    line += "eta \(StageTable.duration(elapsed / fraction - elapsed)) "
                }
            }
            emit(line + message, final: false)
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
