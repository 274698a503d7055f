import Foundation
import PipeCore
import TestSupport
import Testing

/// a -> slow -> c, where `slow` takes about two seconds writing its output bit by bit.
private let slowPipeline = """
    pipeline: faults
    stages:
      a: {kind: command, cmd: "seq 1 1000 > a.txt", outs: [a.txt]}
      slow:
        kind: command
        deps: [a]
        cmd: "for i in 1 2 3 4 5 6 7 8 9 10; do cat ${deps.a}/a.txt >> b.txt; sleep 0.2; done"
        outs: [b.txt]
      c: {kind: command, deps: [slow], cmd: "wc -l < ${deps.slow}/b.txt > c.txt", outs: [c.txt]}
    """

private func outputs(of result: ProcessResult) throws -> [String: String] {
    let json = try JSONValue(parsing: result.stdout)
    var outputs: [String: String] = [:]
    for task in json["tasks"]?.arrayValue ?? [] {
        outputs[task["task"]!.stringValue!] = task["output"]?.stringValue
    }
    return outputs
}

@Test func killNineMidTaskLeavesNoCorruptionAndRerunFinishesTheRest() throws {
    let reference = try TemporaryDirectory()
    defer { reference.remove() }
    try reference.write("p.yaml", slowPipeline)
    let expected = try outputs(of: try PipeBinary.run(["run", "p.yaml", "--json"], in: reference.path))
    #expect(expected.count == 3)

    for delay in [0.15, 0.9, 1.7] {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try dir.write("p.yaml", slowPipeline)
        let process = try PipeBinary.start(["run", "p.yaml"], in: dir.path)
        // Time the kill from the moment the run has opened its cache, not from process start.
        for _ in 0..<200 where !FileManager.default.fileExists(atPath: dir.file(".pipe/pipe.db").path) {
            Thread.sleep(forTimeInterval: 0.05)
        }
        Thread.sleep(forTimeInterval: delay)
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        let verify = try PipeBinary.run(["cache", "verify", "--json"], in: dir.path)
        #expect(verify.status == 0, "verify after kill at \(delay)s: \(verify.stdout)")
        #expect(try JSONValue(parsing: verify.stdout)["corrupt_objects"] == .array([]))
        let rerun = try PipeBinary.run(["run", "p.yaml", "--json"], in: dir.path)
        #expect(rerun.status == 0)
        #expect(try outputs(of: rerun) == expected, "final digests after a kill at \(delay)s")
        // Only the unfinished work is redone: `slow` was cut off, `a` (done within ~0.5 s) is reused.
        var status: [String: String] = [:]
        for task in try JSONValue(parsing: rerun.stdout)["tasks"]!.arrayValue! {
            status[task["task"]!.stringValue!] = task["status"]!.stringValue!
        }
        #expect(status["slow"] == "ran")
        #expect(status["c"] == "ran")
        if delay >= 0.9 { #expect(status["a"] == "cached") }
    }
}

@Test func twoConcurrentRunsComputeEachTaskOnce() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let counter = dir.file("counter.txt").path
    try dir.write("p.yaml", """
        pipeline: shared
        stages:
          slow:
            kind: command
            env: {COUNTER: "\(counter)"}
            cmd: "echo computed >> \\"$COUNTER\\"; sleep 1.5; echo done > out.txt"
            outs: [out.txt]
        """)
    let first = try PipeBinary.start(["run", "p.yaml"], in: dir.path)
    let second = try PipeBinary.start(["run", "p.yaml"], in: dir.path)
    first.waitUntilExit()
    second.waitUntilExit()
    #expect(first.terminationStatus == 0)
    #expect(second.terminationStatus == 0)
    let lines = try String(contentsOfFile: counter, encoding: .utf8).split(separator: "\n")
    #expect(lines.count == 1, "the task was computed \(lines.count) times")
}

@Test func aTaskAnotherRunFinishedWhileThisOneWaitedForASlotIsReused() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let counter = dir.file("counter.txt").path
    // The same task x in two pipelines (same key). b runs with one job slot,
    // taken by a 2 s stage s1 first (x first hashes 500 input files), so x
    // waits for the slot while a, started 0.3 s later, computes it.
    let x = """
          x:
            kind: command
            deps: [x.sh, inputs]
            env: {COUNTER: "\(counter)"}
            cmd: "sh x.sh"
            outs: [out.txt]
        """
    for index in 0..<500 { try dir.write("inputs/f\(index).txt", "\(index)\n") }
    try dir.write("x.sh", "echo computed >> \"$COUNTER\"; sleep 0.5; echo done > out.txt\n")
    try dir.write("b.yaml", "pipeline: b\nstages:\n  s1: {kind: command, cmd: \"sleep 2; echo s > s.txt\", outs: [s.txt]}\n\(x)\n")
    try dir.write("a.yaml", "pipeline: a\nstages:\n\(x)\n")
    let b = try PipeBinary.start(["run", "b.yaml", "--jobs", "1"], in: dir.path)
    Thread.sleep(forTimeInterval: 0.3)
    let a = try PipeBinary.run(["run", "a.yaml", "--json"], in: dir.path)
    b.waitUntilExit()
    #expect(a.status == 0)
    #expect(b.terminationStatus == 0)
    let lines = try String(contentsOfFile: counter, encoding: .utf8).split(separator: "\n")
    #expect(lines.count == 1, "x was computed \(lines.count) times")
    let rerun = try JSONValue(parsing: try PipeBinary.run(["run", "b.yaml", "--json"], in: dir.path).stdout)
    #expect(rerun["tasks"]?.arrayValue?.allSatisfy { $0["status"] == .string("cached") } == true)
}

@Test func unrelatedTasksOfConcurrentRunsDoNotBlockEachOther() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    // Each task announces itself, then waits for the other's announcement: if one
    // run blocked the other, both would time out and fail.
    func spec(_ me: String, _ other: String) -> String {
        """
        pipeline: \(me)
        stages:
          work:
            kind: command
            cmd: "touch \(dir.path)/\(me).started; for i in $(seq 1 100); do [ -e \(dir.path)/\(other).started ] && echo ok > out.txt && exit 0; sleep 0.1; done; exit 1"
            outs: [out.txt]
        """
    }
    try dir.write("x.yaml", spec("x", "y"))
    try dir.write("y.yaml", spec("y", "x"))
    let x = try PipeBinary.start(["run", "x.yaml"], in: dir.path)
    let y = try PipeBinary.start(["run", "y.yaml"], in: dir.path)
    x.waitUntilExit()
    y.waitUntilExit()
    #expect(x.terminationStatus == 0)
    #expect(y.terminationStatus == 0)
}

@Test func manyRunsCreatingOneNewCacheAtOnceAllSucceed() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    try dir.write("p.yaml", """
        pipeline: p
        stages:
          w:
            kind: command
            cmd: "echo ok > out.txt"
            outs: [out.txt]
        """)
    // Each run opens the not-yet-existing database and creates its schema.
    let runs = try (0..<6).map { _ in try PipeBinary.start(["run", "p.yaml"], in: dir.path) }
    for run in runs { run.waitUntilExit() }
    #expect(runs.map(\.terminationStatus) == Array(repeating: 0, count: 6))
}

@Test func locksLeftByAKilledRunAreReclaimedAtOnce() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let held = dir.file("held.pid").path
    // With HOLD set (not part of the key) the task records its pid and hangs, holding the task lock.
    try dir.write("p.yaml", """
        pipeline: p
        stages:
          w:
            kind: command
            cmd: "if [ -n \\"$HOLD\\" ]; then echo $$ > \\"$HOLD\\"; exec sleep 60; fi; echo ok > out.txt"
            outs: [out.txt]
        """)
    let crashed = try PipeBinary.start(["run", "p.yaml"], in: dir.path, environment: ["HOLD": held])
    for _ in 0..<300 where (try? String(contentsOfFile: held, encoding: .utf8))?.hasSuffix("\n") != true {
        Thread.sleep(forTimeInterval: 0.05)
    }
    kill(crashed.processIdentifier, SIGKILL)
    crashed.waitUntilExit()
    if let pid = Int32((try? String(contentsOfFile: held, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "") {
        kill(pid, SIGKILL)
    }
    let locks = try FileManager.default.contentsOfDirectory(atPath: dir.file(".pipe/locks").path)
    #expect(locks.count == 1, "the killed run left its task lock file behind")
    let started = Date()
    let rerun = try PipeBinary.start(["run", "p.yaml"], in: dir.path)
    while rerun.isRunning, Date().timeIntervalSince(started) < 20 { Thread.sleep(forTimeInterval: 0.05) }
    if rerun.isRunning { kill(rerun.processIdentifier, SIGKILL) }
    rerun.waitUntilExit()
    #expect(Date().timeIntervalSince(started) < 10, "the rerun waited on a dead run's lock")
    #expect(rerun.terminationStatus == 0)
    #expect(try String(contentsOfFile: dir.file("runs/p/w/out.txt").path, encoding: .utf8) == "ok\n")
}
