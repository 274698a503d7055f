import Foundation
import PipeCore
import TestSupport
import Testing

private func statuses(_ stdout: String) throws -> [String: String] {
    var result: [String: String] = [:]
    for task in try JSONValue(parsing: stdout)["tasks"]?.arrayValue ?? [] {
        result[task["task"]!.stringValue!] = task["status"]!.stringValue!
    }
    return result
}

@Test func planOfALargeFanOutIsSummarizedAndVerboseListsEveryTask() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    try dir.write("p.yaml", fanOutSpec(40))
    let plan = try PipeBinary.run(["plan", "p.yaml"], in: dir.path)
    #expect(plan.status == 0, "\(plan.stderr)")
    let itemRows = plan.stdout.split(separator: "\n").filter { $0.hasPrefix("each ") }
    #expect(itemRows.count == 4, "3 example tasks and one summary row:\n\(plan.stdout)")
    #expect(plan.stdout.contains("… 37 more"))
    #expect(plan.stdout.contains("37 will-run"))
    #expect(plan.stdout.contains("wide: 41 will-run"))
    let verbose = try PipeBinary.run(["plan", "p.yaml", "--verbose"], in: dir.path)
    #expect(verbose.stdout.split(separator: "\n").filter { $0.hasPrefix("each ") }.count == 40)
    #expect(!verbose.stdout.contains("more"))
}

@Test func streamedJSONListsEveryTaskOnceAndParsesWhole() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    try dir.write("p.yaml", fanOutSpec(40))
    for command in ["plan", "run", "run"] {
        let result = try PipeBinary.run([command, "p.yaml", "--json"], in: dir.path)
        #expect(result.status == 0, "\(result.stderr)")
        let json = try JSONValue(parsing: result.stdout)
        #expect(json["pipeline"]?.stringValue == "wide")
        let tasks = json["tasks"]?.arrayValue ?? []
        #expect(tasks.count == 41, "\(command): every task once")
        #expect(Set(tasks.compactMap { $0["task"]?.stringValue }).count == 41)
        #expect(json["seconds"]?.doubleValue != nil)
        #expect(json["outputs"]?.objectValue != nil)
    }
    let noop = try statuses(try PipeBinary.run(["run", "p.yaml", "--json"], in: dir.path).stdout)
    #expect(Set(noop.values) == ["cached"])
}

/// A run killed while its fan-out is half done: history entries are batched,
/// but every task that finished (its run record is written) must be in the
/// history, so `gc` keeps it and the rerun reuses it, and the database must
/// be intact.
@Test func killedFanOutLosesNoFinishedTaskToGarbageCollection() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let count = 30
    try dir.write("p.yaml", fanOutSpec(count, sleep: 0.1))
    let process = try PipeBinary.start(["run", "p.yaml", "--jobs", "2"], in: dir.path)
    let records = dir.file(".pipe/runs").path
    func finished() -> Int {
        ((try? FileManager.default.contentsOfDirectory(atPath: records)) ?? []).filter { $0.hasSuffix(".json") }.count
    }
    for _ in 0..<400 where finished() < 8 { Thread.sleep(forTimeInterval: 0.02) }
    kill(process.processIdentifier, SIGKILL)
    process.waitUntilExit()
    let done = finished()
    #expect(done >= 8 && done < count, "killed after \(done) of \(count) tasks")
    let verify = try PipeBinary.run(["cache", "verify", "--json"], in: dir.path)
    #expect(verify.status == 0, "\(verify.stdout) \(verify.stderr)")
    let gc = try PipeBinary.run(["cache", "gc"], in: dir.path)
    #expect(gc.status == 0, "\(gc.stderr)")
    #expect(finished() == done, "gc removed records of finished tasks")
    let rerun = try PipeBinary.run(["run", "p.yaml", "--json"], in: dir.path)
    #expect(rerun.status == 0, "\(rerun.stderr)")
    let status = try statuses(rerun.stdout)
    #expect(status.values.filter { $0 == "cached" }.count == done)
    #expect(status.values.filter { $0 == "ran" }.count == count - done + 1)
}

/// A spec of command stages needs no BLAS kernels: `pipe run` must not
/// re-execute itself to fix OpenBLAS's kernel choice (it does so, once, on
/// CPUs that OpenBLAS mis-detects, but only for specs with a kind that runs
/// models). The re-exec leaves its marker in the environment commands inherit.
@Test func commandOnlyRunDoesNotReexecForBLASKernels() throws {
    #expect(try probeOutput("printenv PIPE_OPENBLAS_REEXEC > out.txt || echo none > out.txt") == "none\n")
}

@Test func commandOnlyRunNeverLoadsOpenBLAS() throws {
    // The command's parent is pipe's guard process, a fork of pipe: its mappings are pipe's.
    #expect(try probeOutput("grep -c libopenblas /proc/$PPID/maps > out.txt || true") == "0\n")
}

/// Runs a one-stage spec whose command `cmd` writes `out.txt`; returns that file.
private func probeOutput(_ cmd: String) throws -> String {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    try dir.write("p.yaml", """
        pipeline: probe
        stages:
          probe: {kind: command, cmd: "\(cmd)", outs: [out.txt]}
        """)
    let run = try PipeBinary.run(["run", "p.yaml"], in: dir.path)
    #expect(run.status == 0, "\(run.stderr)")
    return try String(contentsOf: dir.file("runs/probe/probe/out.txt"), encoding: .utf8)
}
