import Foundation
import PipeCore
import TestSupport
import Testing

/// `status` by task name from `pipe run --json`.
private func statuses(_ result: ProcessResult) throws -> [String: String] {
    var statuses: [String: String] = [:]
    for task in try JSONValue(parsing: result.stdout)["tasks"]?.arrayValue ?? [] {
        if let name = task["task"]?.stringValue, let status = task["status"]?.stringValue { statuses[name] = status }
    }
    return statuses
}

private func spec(b command: String) -> String {
    """
    pipeline: p
    stages:
      a: {kind: command, cmd: "seq 1 3 > a.txt", outs: [a.txt]}
      b: {kind: command, deps: [a], cmd: "\(command)", outs: [b.txt]}
    """
}

@Test func aStageWritingIntoAnUpstreamOutputFailsAndLeavesTheCacheSound() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    // chmod first, so the write goes through for any user (root ignores the mode anyway).
    try dir.write("p.yaml", spec(b: "chmod u+w ${deps.a}/a.txt; echo x >> ${deps.a}/a.txt; touch ${deps.a}/stray.txt; cat ${deps.a}/a.txt > b.txt"))
    let failed = try PipeBinary.run(["run", "p.yaml"], in: dir.path)
    #expect(failed.status == 1)
    #expect(failed.stdout.contains("p.yaml:4:3: stage b modified its inputs a/a.txt, a/stray.txt; declared inputs are read-only"),
            "\(failed.stdout)")
    let verify = try PipeBinary.run(["cache", "verify", "--json"], in: dir.path)
    #expect(verify.status == 0)
    #expect(try JSONValue(parsing: verify.stdout)["corrupt_objects"] == .array([]), "\(verify.stdout)")
    #expect(!FileManager.default.fileExists(atPath: dir.file("runs/p/b").path))

    try dir.write("p.yaml", spec(b: "cat ${deps.a}/a.txt > b.txt"))
    let fixed = try PipeBinary.run(["run", "p.yaml", "--json"], in: dir.path)
    #expect(fixed.status == 0)
    #expect(try statuses(fixed) == ["a": "ran", "b": "ran"])
    for file in ["runs/p/a/a.txt", "runs/p/b/b.txt"] {
        #expect(try String(contentsOfFile: dir.file(file).path, encoding: .utf8) == "1\n2\n3\n", "\(file)")
    }
    #expect(!FileManager.default.fileExists(atPath: dir.file("runs/p/a/stray.txt").path))
    #expect(try statuses(try PipeBinary.run(["run", "p.yaml", "--json"], in: dir.path)) == ["a": "cached", "b": "cached"])
}

@Test func aStageWritingToAProjectDependencyFailsNamingTheFile() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    try dir.write("notes/todo.txt", "one\n")
    try dir.write("p.yaml", """
        pipeline: p
        stages:
          c: {kind: command, deps: [notes/todo.txt], cmd: "echo two >> notes/todo.txt; echo ok > out.txt", outs: [out.txt]}
        """)
    let result = try PipeBinary.run(["run", "p.yaml", "--json"], in: dir.path)
    #expect(result.status == 1)
    let task = try #require(try JSONValue(parsing: result.stdout)["tasks"]?.arrayValue?.first)
    #expect(task["status"] == .string("failed"))
    #expect(task["error"]?.stringValue?.contains("stage c modified its input notes/todo.txt; declared inputs are read-only") == true,
            "\(result.stdout)")
    // Nothing was recorded: with the file restored (the same key), the task runs, and fails, again.
    try dir.write("notes/todo.txt", "one\n")
    #expect(try statuses(try PipeBinary.run(["run", "p.yaml", "--json"], in: dir.path)) == ["c": "failed"])
}
