import PipeEngine

/// One row of the table `pipe run` and `pipe plan` print.
public enum RunTableRow: Sendable {
    /// A task shown on its own.
    case task(TaskReport)
    /// The tasks of a large fan-out not shown: how many, by status, and their total time.
    case hidden(stage: String, count: Int, byStatus: [TaskStatus: Int], seconds: Double)
}

/// Which tasks the table shows: every task of a stage with at most `limit`
/// tasks, and for a larger fan-out `examples` of them (failures first, then
/// tasks that ran or will run, then the rest, each group in task order) and
/// one row counting the others by status, so a 100,000-task plan stays a
/// screenful. `verbose` shows every task.
public struct RunTableRows: Sendable {
    public var limit: Int
    public var examples: Int

    public init(limit: Int = 10, examples: Int = 3) {
        self.limit = max(1, limit)
        self.examples = max(0, min(examples, self.limit))
    }

    /// The rows for `tasks` (in report order: stages in graph order, tasks in `TaskOrder`).
    public func rows(_ tasks: [TaskReport], verbose: Bool) -> [RunTableRow] {
        guard !verbose else { return tasks.map(RunTableRow.task) }
        var rows: [RunTableRow] = []
        var start = 0
        while start < tasks.count {
            var end = start + 1
            while end < tasks.count, tasks[end].stage == tasks[start].stage { end += 1 }
            rows += stageRows(tasks[start..<end])
            start = end
        }
        return rows
    }

    private func stageRows(_ tasks: ArraySlice<TaskReport>) -> [RunTableRow] {
        guard tasks.count > limit else { return tasks.map(RunTableRow.task) }
        let shown = Set(tasks.indices.sorted { (priority(tasks[$0].status), $0) < (priority(tasks[$1].status), $1) }.prefix(examples))
        var rows = shown.sorted().map { RunTableRow.task(tasks[$0]) }
        var byStatus: [TaskStatus: Int] = [:]
        var seconds = 0.0
        for index in tasks.indices where !shown.contains(index) {
            byStatus[tasks[index].status, default: 0] += 1
            seconds += tasks[index].seconds ?? 0
        }
        rows.append(.hidden(stage: tasks[tasks.startIndex].stage, count: tasks.count - shown.count, byStatus: byStatus,
                            seconds: seconds))
        return rows
    }

    /// Lower is shown first: what a reader of a large table looks for.
    private func priority(_ status: TaskStatus) -> Int {
        switch status {
        case .failed: return 0
        case .ran, .willRun: return 1
        case .skipped: return 2
        case .cached: return 3
        }
    }
}
