import Foundation
import PipeCore
import PipeEngine

/// `--json` for `run` and `plan`, written as the engine settles tasks rather
/// than built whole at the end: one JSON object (DESIGN §2: `pipeline`,
/// `tasks`, `outputs`, `seconds`) whose `tasks` list gets one task per line,
/// in the order tasks settle. A 100,000-task plan starts printing at once and
/// never holds its whole text in memory.
final class JSONReportStream: EngineObserver, @unchecked Sendable {
    private let lock = NSLock()
    private var opened = false
    private var written = 0
    /// The pipeline's name, set once the spec is loaded (before any task settles).
    var pipeline = ""

    func taskStarted(_ task: String, stage: String, reasons: [RunReason]) {}

    func taskProgress(_ task: String, fraction: Double?, message: String) {}

    func taskFinished(_ report: TaskReport) {
        let line = Self.compact(report.json)
        lock.withLock {
            openIfNeeded()
            Swift.print(written == 0 ? line : ",\n" + line, terminator: "")
            written += 1
        }
    }

    /// Ends the object with the run's outputs and time; `report` holds the same tasks this stream printed.
    func close(_ report: RunReport) {
        lock.withLock {
            openIfNeeded()
            let outputs = Self.compact(.object(report.outputs.mapValues(JSONValue.string)))
            let seconds = Self.compact(.double((report.seconds * 1000).rounded() / 1000))
            Swift.print("\n],\n\"outputs\": \(outputs),\n\"seconds\": \(seconds)}")
            fflush(nil)
        }
    }

    private func openIfNeeded() {
        guard !opened else { return }
        opened = true
        Swift.print("{\"pipeline\": \(Self.compact(.string(pipeline))),\n\"tasks\": [")
    }

    private static func compact(_ value: JSONValue) -> String { String(decoding: value.canonicalData, as: UTF8.self) }
}
