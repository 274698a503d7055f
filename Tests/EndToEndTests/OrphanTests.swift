import Foundation
import PipeCore
import TestSupport
import Testing

/// A command stage that records the pids of its shell and of a background
/// child, then waits. `trapTerm` makes the shell ignore SIGTERM, so only the
/// SIGKILL after the grace period ends it.
private func sleeperPipeline(pidDirectory: String, trapTerm: Bool) -> String {
    let trap = trapTerm ? "trap '' TERM; " : ""
    return """
        pipeline: orphans
        stages:
          sleeper:
            kind: command
            cmd: "\(trap)echo $$ > \(pidDirectory)/shell.pid; sleep 300 & echo $! > \(pidDirectory)/child.pid; while true; do sleep 0.2; done"
            outs: [never.txt]
        """
}

/// True while `pid` is a live process (a zombie counts as ended).
private func isAlive(_ pid: pid_t) -> Bool {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return kill(pid, 0) == 0 }
    guard let close = stat.lastIndex(of: ")") else { return true }
    let state = stat[stat.index(close, offsetBy: 2)]
    return state != "Z" && state != "X"
}

private func waitFor(seconds: Double, _ condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if condition() { return true }
        Thread.sleep(forTimeInterval: 0.05)
    }
    return condition()
}

/// Starts the sleeper pipeline, waits for its processes, sends `signal` to
/// pipe and returns pipe's exit status and the command's pids.
private func runSleeper(in dir: TemporaryDirectory, trapTerm: Bool, signal: Int32) throws -> (status: Int32, pids: [pid_t]) {
    let pids = dir.file("pids")
    try FileManager.default.createDirectory(at: pids, withIntermediateDirectories: true)
    try dir.write("p.yaml", sleeperPipeline(pidDirectory: pids.path, trapTerm: trapTerm))
    let process = try PipeBinary.start(["run", "p.yaml"], in: dir.path)
    let files = ["shell.pid", "child.pid"].map { pids.appendingPathComponent($0).path }
    let started = waitFor(seconds: 30) {
        files.allSatisfy { (try? String(contentsOfFile: $0, encoding: .utf8))?.hasSuffix("\n") == true }
    }
    #expect(started, "the command stage did not start")
    let pidList = files.compactMap { try? String(contentsOfFile: $0, encoding: .utf8) }
        .compactMap { pid_t($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    kill(process.processIdentifier, signal)
    process.waitUntilExit()
    return (process.terminationStatus, pidList)
}

@Test(arguments: [SIGKILL, SIGTERM, SIGINT])
func killingPipeEndsTheRunningCommandAndEverythingItStarted(signal: Int32) throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let (status, pids) = try runSleeper(in: dir, trapTerm: false, signal: signal)
    #expect(pids.count == 2)
    if signal != SIGKILL { #expect(status == 128 + signal, "pipe's exit status after signal \(signal)") }
    #expect(waitFor(seconds: 3) { pids.allSatisfy { !isAlive($0) } },
            "survivors after signal \(signal): \(pids.filter(isAlive))")
    pids.filter(isAlive).forEach { kill($0, SIGKILL) }
    // Nothing of the interrupted task was stored or published.
    let verify = try PipeBinary.run(["cache", "verify", "--json"], in: dir.path)
    #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
    #expect(!FileManager.default.fileExists(atPath: dir.file("runs/orphans/sleeper").path))
}

@Test
func aCommandThatIgnoresSIGTERMIsKilledAfterTheGracePeriod() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let (_, pids) = try runSleeper(in: dir, trapTerm: true, signal: SIGKILL)
    #expect(pids.count == 2)
    // The shell ignores SIGTERM; the guard sends SIGKILL after the 5 s grace period.
    #expect(waitFor(seconds: 10) { pids.allSatisfy { !isAlive($0) } }, "survivors: \(pids.filter(isAlive))")
    pids.filter(isAlive).forEach { kill($0, SIGKILL) }
}
