import PipeEngine
import PipeReport
import Testing

private func task(_ stage: String, _ index: Int, _ status: TaskStatus, seconds: Double? = nil) -> TaskReport {
    TaskReport(stage: stage, task: "\(stage)[\(index)]", status: status, seconds: seconds)
}

/// 100 item tasks (one failed, two ran, the rest cached) and one gather.
private let fanOut: [TaskReport] = (0..<100).map { index in
    task("item", index, index == 70 ? .failed : index == 5 || index == 40 ? .ran : .cached, seconds: 1)
} + [TaskReport(stage: "gather", task: "gather", status: .skipped)]

@Test func largeFanOutShowsFailuresAndRunsFirstThenCountsTheRest() throws {
    let rows = RunTableRows(limit: 10, examples: 3).rows(fanOut, verbose: false)
    #expect(rows.count == 5)
    let shown = rows.compactMap { row -> String? in if case .task(let task) = row { return task.task }; return nil }
    // The examples are what a reader looks for, listed in task order.
    #expect(shown == ["item[5]", "item[40]", "item[70]", "gather"])
    guard case .hidden(let stage, let count, let byStatus, let seconds) = rows[3] else {
        Issue.record("expected a summary row after the examples, got \(rows[3])")
        return
    }
    #expect(stage == "item")
    #expect(count == 97)
    #expect(byStatus == [.cached: 97])
    #expect(seconds == 97)
}

@Test func smallStagesAndVerboseListEveryTask() {
    let rows = RunTableRows(limit: 10, examples: 3)
    #expect(rows.rows(fanOut, verbose: true).count == 101)
    let small = Array(fanOut[0..<10]) + [fanOut[100]]
    #expect(rows.rows(small, verbose: false).count == 11)
    let eleven = Array(fanOut[0..<11])
    #expect(rows.rows(eleven, verbose: false).count == 4)  // 3 examples + the count of 8
}

@Test func tasksSortByNameWithNumbersAsNumbers() {
    let names = ["tile[10]", "tile[2]", "tile[b]", "tile[1]", "tile[a10]", "tile[a9]", "tile", "tile[007]"]
    let sorted = names.sorted { TaskOrder(name: $0) < TaskOrder(name: $1) }
    #expect(sorted == ["tile", "tile[1]", "tile[2]", "tile[007]", "tile[10]", "tile[a9]", "tile[a10]", "tile[b]"])
}
