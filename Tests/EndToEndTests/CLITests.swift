import Foundation
import PipeCore
import TestSupport
import Testing

@Test func specErrorsAreLocatedAndExitTwo() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    try dir.write("bad.yaml", """
        pipeline: bad
        stages:
          a:
            kind: comand
            cmd: "true"
        """)
    let result = try PipeBinary.run(["run", "bad.yaml"], in: dir.path)
    #expect(result.status == 2)
    #expect(result.stderr.contains("bad.yaml:4:11: "))
    #expect(result.stderr.contains("'comand'"))
    #expect(result.stderr.contains("did you mean 'command'?"))
}

@Test func runAndPlanPrintTheJSONContract() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    try dir.write("p.yaml", """
        pipeline: p
        params: {n: 2}
        stages:
          make: {kind: command, params: {n: "${params.n}"}, cmd: "seq ${stage.params.n} > out.txt", outs: [out.txt]}
        """)
    let run = try PipeBinary.run(["run", "p.yaml", "--json"], in: dir.path)
    #expect(run.status == 0)
    let json = try JSONValue(parsing: run.stdout)
    #expect(json["pipeline"] == .string("p"))
    let task = try #require(json["tasks"]?.arrayValue?.first)
    #expect(task["stage"] == .string("make"))
    #expect(task["task"] == .string("make"))
    #expect(task["status"] == .string("ran"))
    #expect(task["reason"] == .string("never run"))
    #expect(task["key"]?.stringValue?.count == 64)
    #expect(task["output"]?.stringValue?.count == 64)
    #expect(task["seconds"]?.doubleValue != nil)
    let plan = try JSONValue(parsing: try PipeBinary.run(["plan", "p.yaml", "--json", "--set", "params.n=3"], in: dir.path).stdout)
    #expect(plan["tasks"]?.arrayValue?.first?["status"] == .string("will-run"))
    #expect(plan["tasks"]?.arrayValue?.first?["reason"] == .string("param make.params.n 2 -> 3"))
    #expect(try String(contentsOfFile: dir.file("runs/p/make/out.txt").path, encoding: .utf8) == "1\n2\n")
}

@Test func failedStageExitsOneAndShowsItsOutput() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    try dir.write("p.yaml", "stages:\n  boom: {kind: command, cmd: \"echo kaboom >&2; exit 4\", outs: []}\n")
    let result = try PipeBinary.run(["run", "p.yaml"], in: dir.path)
    #expect(result.status == 1)
    #expect(result.stdout.contains("boom failed: "))
    #expect(result.stdout.contains("kaboom"))
}

@Test func failedTaskKeepsItsReasonAndLogInTheTableAndJSON() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    try dir.write("p.yaml", "stages:\n  boom: {kind: command, params: {n: 1}, cmd: \"echo kaboom >&2; exit 4\", outs: []}\n")
    let json = try PipeBinary.run(["run", "p.yaml", "--json"], in: dir.path)
    #expect(json.status == 1)
    let task = try #require(try JSONValue(parsing: json.stdout)["tasks"]?.arrayValue?.first)
    #expect(task["status"] == .string("failed"))
    #expect(task["reason"] == .string("never run"))
    #expect(task["error"]?.stringValue?.contains("exited with status 4") == true)
    #expect(task["log"]?.stringValue?.contains("kaboom") == true)
    let table = try PipeBinary.run(["run", "p.yaml"], in: dir.path)
    #expect(table.status == 1)
    let row = try #require(table.stdout.split(separator: "\n").first { $0.hasPrefix("boom ") })
    #expect(row.contains(" failed ") && row.hasSuffix("  never run"), "\(table.stdout)")
}

@Test func diffComparesAFileWithItselfAtAGitRevision() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let spec = "pipeline: v\nparams: {lr: 0.001}\nstages:\n  train: {kind: command, params: {lr: \"${params.lr}\"}, cmd: \"true\", outs: []}\n"
    try dir.write("v.yaml", spec)
    for command in [["init", "-q"], ["add", "v.yaml"], ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "v1"]] {
        try runProcess("git", ["-C", dir.path] + command)
    }
    try dir.write("v.yaml", spec.replacingOccurrences(of: "0.001", with: "0.0005"))
    let result = try PipeBinary.run(["diff", "v.yaml@HEAD", "v.yaml"], in: dir.path)
    #expect(result.status == 0)
    #expect(result.stdout.contains("params.lr 0.001 -> 0.0005"))
    #expect(result.stdout.contains("train: param train.params.lr 0.001 -> 0.0005"))
}

/// A git repository in `dir` with `v.yaml` committed at learning rate 0.5.
private func diffRepository(_ dir: TemporaryDirectory) throws -> (String) -> String {
    func spec(_ lr: String) -> String {
        """
        pipeline: v
        params: {lr: \(lr)}
        stages:
          train:
            kind: command
            params: {lr: "${params.lr}"}
            cmd: printf '{"dice":%s}' ${stage.params.lr} > m.json
            outs: [m.json]
            metrics: m.json
        """
    }
    try dir.write("v.yaml", spec("0.5"))
    for command in [["init", "-q"], ["add", "v.yaml"], ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "v1"]] {
        try runProcess("git", ["-C", dir.path] + command)
    }
    return spec
}

@Test func diffShowsTheMetricsOfEachSidesOwnRun() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let spec = try diffRepository(dir)
    #expect(try PipeBinary.run(["run", "v.yaml"], in: dir.path).status == 0)
    try dir.write("v.yaml", spec("0.7"))
    #expect(try PipeBinary.run(["run", "v.yaml"], in: dir.path).status == 0)
    let text = try PipeBinary.run(["diff", "v.yaml@HEAD", "v.yaml"], in: dir.path)
    #expect(text.status == 0)
    let row = text.stdout.split(separator: "\n").first { $0.contains("train") && $0.contains("dice") }
    #expect(row?.split(separator: " ").map(String.init) == ["train", "dice", "0.5000", "0.7000", "+0.2000"], "\(text.stdout)")
    let json = try JSONValue(parsing: try PipeBinary.run(["diff", "v.yaml@HEAD", "v.yaml", "--json"], in: dir.path).stdout)
    let metric = try #require(json["metrics"]?.arrayValue?.first)
    #expect(metric["a"] == .double(0.5) && metric["b"] == .double(0.7))
    // A side whose key has not run says so instead of borrowing another run's numbers.
    try dir.write("v.yaml", spec("0.9"))
    let pending = try PipeBinary.run(["diff", "v.yaml@HEAD", "v.yaml"], in: dir.path)
    let pendingRow = pending.stdout.split(separator: "\n").first { $0.contains("train") && $0.contains("dice") }
    #expect(pendingRow?.split(separator: " ").map(String.init) == ["train", "dice", "0.5000", "not", "run"], "\(pending.stdout)")
}

@Test func diffAtAnUnknownRevisionPrintsGitsMessage() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    _ = try diffRepository(dir)
    let result = try PipeBinary.run(["diff", "v.yaml@nosuchrev", "v.yaml"], in: dir.path)
    #expect(result.status == 2)
    #expect(result.stderr.contains("cannot read spec 'v.yaml': not readable at revision 'nosuchrev': fatal: "), "\(result.stderr)")
    #expect(!result.stderr.contains("could not be completed"))
}
