import Foundation
import PipeCore

/// Runs an external program and captures its output; used by cross-check tests
/// (Python references) and end-to-end tests of the built binary.
public struct ProcessResult: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String
}

@discardableResult
public func runProcess(_ executable: String, _ arguments: [String], cwd: String? = nil,
                       environment: [String: String]? = nil, stdin: String? = nil) throws -> ProcessResult {
    let output = try ChildProcess.run(executable, arguments, directory: cwd, environment: environment,
                                      input: stdin.map { Data($0.utf8) })
    return ProcessResult(status: output.status,
                         stdout: String(decoding: output.stdout, as: UTF8.self),
                         stderr: String(decoding: output.stderr, as: UTF8.self))
}

/// Whether the tests run under CI (`PIPE_CI=1`, set by `.ci/run`). There a
/// test that needs a missing tool runs anyway and fails, instead of skipping:
/// CI installs every tool the tests use (`scripts/install-deps.sh --test`), so
/// no test is allowed to skip there.
public let isCI = ProcessInfo.processInfo.environment["PIPE_CI"] == "1"

/// `present` outside CI (a missing tool skips the test); in CI, true, so the
/// test runs and fails on the missing tool.
public func toolAvailable(_ present: @autoclosure () -> Bool) -> Bool {
    isCI || present()
}

/// True when `python3` can import every module named; cross-check tests use it
/// with `.enabled(if:)`. Outside CI they skip without the references.
public func pythonHas(_ modules: String...) -> Bool {
    let code = modules.map { "import \($0)" }.joined(separator: "; ")
    return toolAvailable((try? runProcess("python3", ["-c", code]).status) == 0)
}
