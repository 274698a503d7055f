import Foundation
import PipeCore
import Testing
import TestSupport

/// `pipe run --executor slurm` on a real single-node Slurm (CI starts one:
/// scripts/slurm-test-cluster.sh). Skips only where `sbatch` is absent, and
/// in CI (PIPE_CI=1) runs and fails instead.
@Suite(.enabled(if: toolAvailable(SlurmCluster.available)), .serialized)
struct SlurmClusterTests {
    /// Fast polling for tests; the default backs off to 10 s.
    static let slurm = ["--executor", "slurm", "--poll-max", "1"]

    func workspace(_ label: String, copying example: String? = nil) throws -> TemporaryDirectory {
        let directory = try TemporaryDirectory("pipe-slurm-\(label)")
        if let example {
            for name in try FileManager.default.contentsOfDirectory(
                atPath: PipeBinary.repositoryRoot.appendingPathComponent(example).path) {
                try FileManager.default.copyItem(at: PipeBinary.repositoryRoot.appendingPathComponent("\(example)/\(name)"),
                                                 to: directory.file(name))
            }
        }
        return directory
    }

    /// task -> (key, output, job) from `--json`.
    func tasks(_ result: ProcessResult) throws -> [String: (key: String, output: String, status: String, job: String?)] {
        var tasks: [String: (key: String, output: String, status: String, job: String?)] = [:]
        for task in try JSONValue(parsing: result.stdout)["tasks"]?.arrayValue ?? [] {
            tasks[task["task"]?.stringValue ?? ""] = (task["key"]?.stringValue ?? "", task["output"]?.stringValue ?? "",
                                                      task["status"]?.stringValue ?? "", task["job"]?.stringValue)
        }
        return tasks
    }

    @Test func commandPipelineOnSlurmIsBitIdenticalToLocal() throws {
        let local = try workspace("local", copying: "examples/hello"), cluster = try workspace("cluster", copying: "examples/hello")
        defer { local.remove(); cluster.remove() }
        let plan = try PipeBinary.run(["plan", "v1.yaml", "--json"] + Self.slurm, in: cluster.path)
        #expect(plan.status == 0, "\(plan.stderr)")
        let planned = try JSONValue(parsing: plan.stdout)["tasks"]?.arrayValue?.first { $0["task"]?.stringValue == "prep" }
        #expect(planned?["resources"]?["cpus"]?.intValue == 1, "plan shows what would be submitted: \(plan.stdout)")
        let expected = try tasks(try PipeBinary.run(["run", "v1.yaml", "--json"], in: local.path))
        let result = try PipeBinary.run(["run", "v1.yaml", "--json"] + Self.slurm, in: cluster.path)
        #expect(result.status == 0, "\(result.stderr)")
        let got = try tasks(result)
        #expect(got.count == expected.count)
        for (task, value) in expected {
            #expect(got[task]?.key == value.key, "\(task): same key")
            #expect(got[task]?.output == value.output, "\(task): bit-identical output")
            #expect(got[task]?.status == "ran")
            #expect(got[task]?.job != nil, "\(task) ran as a Slurm job")
        }
        #expect(try PipeBinary.run(["cache", "verify"], in: cluster.path).status == 0)
        #expect(SlurmCluster.jobsInQueue().isEmpty)
    }

    @Test func failingJobSaysWhyAndRerunReusesWhatFinished() throws {
        let directory = try workspace("fail")
        defer { directory.remove() }
        let marker = directory.file("fixed").path
        try directory.write("p.yaml", """
            pipeline: flaky
            params: {items: [a, b, c]}
            stages:
              good:
                kind: command
                foreach: "${params.items}"
                cmd: "echo ${item} > out.txt"
                outs: [out.txt]
              flaky:
                kind: command
                deps: [good]
                cmd: "test -e \(marker) || { echo 'boom: no marker' >&2; exit 3; }; echo ok > out.txt"
                outs: [out.txt]
            """)
        let first = try PipeBinary.run(["run", "p.yaml", "--json"] + Self.slurm, in: directory.path)
        #expect(first.status == 1)
        let failed = try #require(try JSONValue(parsing: first.stdout)["tasks"]?.arrayValue?.first {
            $0["task"]?.stringValue == "flaky"
        })
        let error = failed["error"]?.stringValue ?? ""
        #expect(error.contains("exited with status 3"), "\(error)")
        #expect(error.contains("slurm job"), "\(error)")
        #expect(error.contains("/executor/logs/"), "the Slurm log path: \(error)")
        #expect(failed["log"]?.stringValue?.contains("boom: no marker") == true)
        let firstTasks = try tasks(first)
        FileManager.default.createFile(atPath: marker, contents: Data())
        let second = try tasks(try PipeBinary.run(["run", "p.yaml", "--json"] + Self.slurm, in: directory.path))
        for item in ["a", "b", "c"] {
            #expect(firstTasks["good[\(item)]"]?.status == "ran")
            #expect(second["good[\(item)]"]?.status == "cached", "finished work is reused")
        }
        #expect(second["flaky"]?.status == "ran")
    }

    /// Slurm's time-limit warning, as `--signal=B:USR1@...` delivers it (sent here at once with
    /// `scancel --signal=USR1 --batch`): the worker stops the command and records that it timed
    /// out; with `max_time` the task is resubmitted with twice the time, without it the task fails
    /// naming `resources.time`. Neither leaves a result.
    @Test func timeLimitWarningStopsTheTaskAndResubmitsWithMoreTime() throws {
        let directory = try workspace("usr1")
        defer { directory.remove() }
        let marker = directory.file("warned").path, started = directory.file("started").path
        try directory.write("p.yaml", """
            pipeline: overtime
            stages:
              long:
                kind: command
                cmd: "touch \(started); test -e \(marker) || sleep 120; echo done > out.txt"
                outs: [out.txt]
                resources: {time: 5m, max_time: 20m}
            """)
        let run = try PipeBinary.start(["run", "p.yaml", "--bundle-seconds", "0"] + Self.slurm, in: directory.path)
        let first = try #require(try SlurmCluster.waitForJournal(in: directory.path, count: 1).first)
        let name = try #require(SlurmCluster.journalEntries(in: directory.path).first?["jobName"]?.stringValue)
        // The warning comes minutes into a job, when the worker handles it: wait until the command runs.
        try SlurmCluster.waitUntilRunning(first)
        let deadline = Date().addingTimeInterval(60)
        while !FileManager.default.fileExists(atPath: started), Date() < deadline { usleep(50_000) }
        _ = FileManager.default.createFile(atPath: marker, contents: Data())   // the resubmitted attempt finishes at once
        let signalled = try runProcess("scancel", ["--signal=USR1", "--batch", first])
        #expect(signalled.status == 0, "\(signalled.stderr)")
        try SlurmCluster.waitForExit(run)
        #expect(run.terminationStatus == 0)
        // Slurm still lists the run's ended jobs: the warned one with 5 minutes, then one with twice that.
        let listed = try runProcess("squeue", ["--noheader", "--states=all", "--name=\(name)", "--format=%A|%l"])
        let jobs = listed.stdout.split(whereSeparator: \.isNewline).map { $0.split(separator: "|").map(String.init) }
            .sorted { (Int($0[0]) ?? 0) < (Int($1[0]) ?? 0) }
        #expect(jobs.map { $0[0] }.first == first && jobs.map { $0[1] } == ["5:00", "10:00"], "\(listed.stdout)")
        let again = try PipeBinary.run(["run", "p.yaml", "--json"], in: directory.path)
        #expect(try tasks(again)["long"]?.status == "cached", "the second job recorded the result")
        #expect(SlurmCluster.jobsInQueue().isEmpty)
    }

    @Test func interruptCancelsEveryJobAndRestartReattaches() throws {
        let directory = try workspace("interrupt")
        defer { directory.remove() }
        try directory.write("p.yaml", """
            pipeline: sleepy
            params: {items: [1, 2]}
            stages:
              nap:
                kind: command
                foreach: "${params.items}"
                cmd: "sleep 6; echo ${item} > out.txt"
                outs: [out.txt]
            """)
        let arguments = ["run", "p.yaml", "--json", "--bundle-seconds", "0"] + Self.slurm
        // Ctrl-C: one scancel, no job left in the queue, nothing recorded.
        let interrupted = try PipeBinary.start(arguments, in: directory.path)
        try SlurmCluster.waitForJournal(in: directory.path, count: 2)
        kill(interrupted.processIdentifier, SIGINT)
        try SlurmCluster.waitForExit(interrupted)
        #expect(interrupted.terminationStatus == 128 + SIGINT)
        #expect(SlurmCluster.jobsInQueue().isEmpty, "no job of the run is left: \(SlurmCluster.jobsInQueue())")
        #expect(SlurmCluster.journal(in: directory.path).isEmpty)
        // The planner dies (SIGKILL): a new `pipe run` waits for the same jobs instead of submitting twice.
        let killed = try PipeBinary.start(arguments, in: directory.path)
        let submitted = try SlurmCluster.waitForJournal(in: directory.path, count: 2)
        kill(killed.processIdentifier, SIGKILL)
        try SlurmCluster.waitForExit(killed)
        let rerun = try tasks(try PipeBinary.run(arguments, in: directory.path))
        #expect(Set(rerun.values.compactMap(\.job)).isSubset(of: submitted), "reattached to \(submitted), no new job")
        #expect(rerun.values.contains { $0.job != nil }, "at least one task was still running and was waited for")
        #expect(rerun.values.allSatisfy { $0.status == "ran" || $0.status == "cached" })
        // `pipe cancel` ends jobs whose planner died.
        try directory.write("p.yaml", "pipeline: sleepy2\n" + "params: {items: [3]}\n"
                            + "stages:\n  nap:\n    kind: command\n    foreach: \"${params.items}\"\n"
                            + "    cmd: \"sleep 60; echo ${item} > out.txt\"\n    outs: [out.txt]\n")
        let orphaned = try PipeBinary.start(arguments, in: directory.path)
        try SlurmCluster.waitForJournal(in: directory.path, count: 1)
        kill(orphaned.processIdentifier, SIGKILL)
        try SlurmCluster.waitForExit(orphaned)
        let cancel = try PipeBinary.run(["cancel"], in: directory.path)
        #expect(cancel.status == 0, "\(cancel.stderr)")
        #expect(cancel.stdout.contains("cancelled 1 Slurm job"))
        try SlurmCluster.waitForEmptyQueue()
    }

    /// The planner dies inside `sbatch` after Slurm took the job (a wrapper around the real
    /// `sbatch` SIGKILLs it), so the journal has the job's token but no id: the restarted run
    /// finds the job by its comment and waits for it; `pipe cancel` finds and ends such a job.
    @Test func plannerKilledInsideSbatchIsFoundByTokenNotSubmittedTwice() throws {
        let directory = try workspace("lost")
        defer { directory.remove() }
        let sbatch = try runProcess("sh", ["-c", "command -v sbatch"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let bin = directory.file("bin").path
        try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
        try directory.write("bin/sbatch", "#!/bin/sh\n'\(sbatch)' \"$@\"; status=$?\nkill -9 $PPID\nexit $status\n")
        chmod("\(bin)/sbatch", 0o755)
        let dying = ["PATH": "\(bin):" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")]
        let nap = { (seconds: Int) in
            "pipeline: lost\nstages:\n  nap:\n    kind: command\n    cmd: \"sleep \(seconds); echo \(seconds) > out.txt\"\n"
                + "    outs: [out.txt]\n"
        }
        let arguments = ["run", "p.yaml", "--json"] + Self.slurm
        try directory.write("p.yaml", nap(8))
        #expect(try PipeBinary.run(arguments, in: directory.path, environment: dying).status == 128 + SIGKILL)
        let lost = try #require(SlurmCluster.unrecordedJob(in: directory.path))
        let rerun = try PipeBinary.run(arguments, in: directory.path)
        #expect(rerun.status == 0, "\(rerun.stderr)")
        #expect(try tasks(rerun)["nap"]?.status == "ran")
        #expect(try tasks(rerun)["nap"]?.job == lost, "waited for job \(lost) instead of submitting another")
        try directory.write("p.yaml", nap(120))
        #expect(try PipeBinary.run(arguments, in: directory.path, environment: dying).status == 128 + SIGKILL)
        let orphan = try #require(SlurmCluster.unrecordedJob(in: directory.path))
        let cancel = try PipeBinary.run(["cancel"], in: directory.path)
        #expect(cancel.stdout.contains("cancelled 1 Slurm job: \(orphan)"), "\(cancel.stdout) \(cancel.stderr)")
        let state = { try runProcess("squeue", ["--noheader", "--states=all", "--jobs=\(orphan)", "--format=%T"]).stdout }
        let deadline = Date().addingTimeInterval(30)
        while try !state().contains("CANCELLED"), Date() < deadline { usleep(200_000) }
        #expect(try state().contains("CANCELLED"), "job \(orphan) was cancelled")
    }

    @Test func smallImagePipelineOnSlurmIsBitIdenticalToLocalWithPerImageTasksBundled() throws {
        let shrink = ["--set", "data.train.synthetic.images=2", "--set", "data.train.synthetic.side=1024",
                      "--set", "data.external.synthetic-external.tiles=3", "--set", "params.size=128"]
        let local = try workspace("tiles-local", copying: "examples/tiles"),
            cluster = try workspace("tiles-cluster", copying: "examples/tiles")
        defer { local.remove(); cluster.remove() }
        let expected = try tasks(try PipeBinary.run(["run", "tiles.yaml", "--json"] + shrink, in: local.path))
        let result = try PipeBinary.run(["run", "tiles.yaml", "--json"] + shrink + Self.slurm, in: cluster.path)
        #expect(result.status == 0, "\(result.stderr)")
        let got = try tasks(result)
        #expect(got.count == expected.count)
        for (task, value) in expected {
            #expect(got[task]?.output == value.output, "\(task): bit-identical output")
        }
        // The per-image tile tasks became ready together and share one job.
        let tileJobs = Set(got.filter { $0.key.hasPrefix("tile[") }.compactMap(\.value.job))
        #expect(got.keys.filter { $0.hasPrefix("tile[") }.count >= 3)
        #expect(tileJobs.count == 1, "tile tasks bundled: \(tileJobs)")
    }
}

/// The test cluster, seen through Slurm's own tools.
enum SlurmCluster {
    static var available: Bool { (try? runProcess("sinfo", ["--noheader"]).status) == 0 }

    /// Job ids pending or running on the cluster.
    static func jobsInQueue() -> [String] {
        ((try? runProcess("squeue", ["--noheader", "--format=%A"]).stdout) ?? "")
            .split(whereSeparator: \.isNewline).map(String.init)
    }

    static func journal(in workspace: String) -> [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: "\(workspace)/.pipe/executor/journal")) ?? []
    }

    /// The workspace's journal entries, as JSON.
    static func journalEntries(in workspace: String) -> [JSONValue] {
        journal(in: workspace).sorted().compactMap { name in
            try? JSONValue(parsing: FileManager.default.contents(atPath: "\(workspace)/.pipe/executor/journal/\(name)") ?? Data())
        }
    }

    /// Waits until `count` tasks have a job id in the workspace's journal; returns the ids.
    @discardableResult
    static func waitForJournal(in workspace: String, count: Int, timeout: Double = 60) throws -> Set<String> {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let ids = journalEntries(in: workspace).compactMap { $0["jobID"]?.stringValue }
            if ids.count >= count { return Set(ids) }
            usleep(100_000)
        }
        throw SlurmTestError("no \(count) submitted jobs in the journal after \(timeout) s")
    }

    /// The id of the job Slurm lists with the token of the workspace's one journal entry
    /// that has no id (its planner died inside sbatch); nil when there is no such job.
    static func unrecordedJob(in workspace: String) -> String? {
        let entries = journalEntries(in: workspace)
        guard entries.count == 1, entries[0]["jobID"] == nil, let name = entries[0]["jobName"]?.stringValue,
              let token = entries[0]["token"]?.stringValue,
              let listed = try? runProcess("squeue", ["--noheader", "--states=all", "--name=\(name)", "--format=%A|%k"])
        else { return nil }
        return listed.stdout.split(whereSeparator: \.isNewline).first { $0.hasSuffix("|\(token)") }
            .map { String($0.prefix { $0 != "|" }) }
    }

    /// Waits until Slurm lists job `id` as RUNNING.
    static func waitUntilRunning(_ id: String, timeout: Double = 60) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let state = (try? runProcess("squeue", ["--noheader", "--jobs=\(id)", "--format=%T"]).stdout) ?? ""
            if state.contains("RUNNING") { return }
            usleep(100_000)
        }
        throw SlurmTestError("job \(id) was not running after \(timeout) s")
    }

    static func waitForExit(_ process: ChildProcess, timeout: Double = 90) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning, Date() < deadline { usleep(50_000) }
        if process.isRunning { throw SlurmTestError("pipe did not exit within \(timeout) s") }
    }

    static func waitForEmptyQueue(timeout: Double = 30) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while !jobsInQueue().isEmpty, Date() < deadline { usleep(200_000) }
        if !jobsInQueue().isEmpty { throw SlurmTestError("jobs still queued: \(jobsInQueue())") }
    }
}

struct SlurmTestError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
