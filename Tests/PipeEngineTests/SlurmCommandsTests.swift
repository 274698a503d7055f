import Foundation
import PipeCore
import PipeEngine
import PipeSpec
import Testing
import TestSupport

// The Slurm command lines and the parsing of what Slurm prints: pure functions on text fixtures.

@Test func slurmStatesMapToOneJobStateEach() {
    #expect(SlurmCommands.state("RUNNING") == .active)
    #expect(SlurmCommands.state("PENDING") == .active)
    #expect(SlurmCommands.state("COMPLETING") == .active)
    #expect(SlurmCommands.state("COMPLETED") == .completed)
    #expect(SlurmCommands.state("FAILED", exitCode: "3:0") == .failed("3:0"))
    #expect(SlurmCommands.state("TIMEOUT") == .timedOut)
    #expect(SlurmCommands.state("OUT_OF_MEMORY") == .outOfMemory)
    #expect(SlurmCommands.state("NODE_FAIL") == .nodeFailed)
    #expect(SlurmCommands.state("PREEMPTED") == .preempted)
    #expect(SlurmCommands.state("CANCELLED by 0") == .cancelled)
    // Never success for a word we do not know.
    #expect(SlurmCommands.state("WEIRD") == .unknown("WEIRD"))
    #expect(SlurmCommands.state("WEIRD").isInfrastructureLoss)
    #expect(!SlurmCommands.state("FAILED").isInfrastructureLoss)
}

@Test func squeueOutputParsesPerJob() {
    let text = """
        101|RUNNING|node1|None|pipe-a-1-00ff
        102|PENDING||Resources|
        103|COMPLETED|node[2-3]|None|someone's|comment
        garbage line
        """
    let jobs = SlurmCommands.parseQueue(text)
    #expect(jobs.count == 3)
    #expect(jobs["101"] == .init(state: .active, nodes: "node1", reason: "None", comment: "pipe-a-1-00ff"))
    #expect(jobs["102"]?.reason == "Resources")
    #expect(jobs["102"]?.comment == "")
    #expect(jobs["103"]?.state == .completed)
    #expect(jobs["103"]?.comment == "someone's|comment")
    let arguments = SlurmCommands.squeueArguments(names: ["pipe-a", "pipe-b"])
    #expect(arguments.contains("--name=pipe-a,pipe-b"))
    #expect(arguments.contains("--format=%A|%T|%N|%r|%k"))
}

@Test func sacctOutputParsesAllocations() {
    let jobs = SlurmCommands.parseAccounting("7|NODE_FAIL|0:0|node3\n8|CANCELLED by 0|0:15|node1\n9|FAILED|2:0|node1\n")
    #expect(jobs["7"]?.state == .nodeFailed)
    #expect(jobs["7"]?.nodes == "node3")
    #expect(jobs["8"]?.state == .cancelled)
    #expect(jobs["9"]?.state == .failed("2:0"))
    #expect(SlurmCommands.sacctArguments(jobs: ["7", "8"]).contains("--jobs=7,8"))
}

@Test func sbatchParsableOutputGivesTheJobID() {
    #expect(SlurmCommands.parseSubmitted("4242\n") == "4242")
    #expect(SlurmCommands.parseSubmitted("4242;cluster\n") == "4242")
    #expect(SlurmCommands.parseSubmitted("sbatch: error: Batch job submission failed") == nil)
}

@Test func sbatchArgumentsCarryResourcesSignalAndExclusions() {
    let resources = StageResources(cpus: 4, memMB: 8192, minutes: 90, gpus: 1, partition: "gpu", account: "lab",
                                   qos: "short", extra: ["--constraint=avx512"])
    let job = JobSubmission(name: "pipe-1", token: "pipe-1-3-00ff", scriptPath: "/w/job.sh", logPath: "/w/log", directory: "/w",
                            resources: resources, excludedNodes: ["n2", "n1"])
    let arguments = SlurmCommands.sbatchArguments(job)
    #expect(arguments.first == "--parsable")
    #expect(!arguments.contains("--wait"))
    for expected in ["--job-name=pipe-1", "--comment=pipe-1-3-00ff", "--output=/w/log", "--chdir=/w", "--cpus-per-task=4", "--mem=8192M",
                     "--time=01:30:00", "--signal=B:USR1@120", "--gpus=1", "--partition=gpu", "--account=lab",
                     "--qos=short", "--exclude=n1,n2", "--constraint=avx512"] {
        #expect(arguments.contains(expected), "missing \(expected) in \(arguments)")
    }
    #expect(arguments.last == "/w/job.sh")
    #expect(SlurmCommands.warningSeconds(minutes: 1) == 10)
}

@Test func batchScriptExecsTheWorkerWithQuotedPaths() {
    let script = SlurmCommands.script(pipe: "/opt/my pipe/pipe", bundle: "/w/b'1.json", tasks: ["tile[a]"])
    #expect(script.hasPrefix("#!/bin/sh\n"))
    #expect(script.contains("exec '/opt/my pipe/pipe' task exec '/w/b'\\''1.json'"))
}

/// Task names come from spec `foreach` items; in the script they only appear
/// in the comment line, which a newline in a name must not end.
@Test func hostileTaskNamesStayInsideTheScriptsComment() {
    let script = SlurmCommands.script(pipe: "/p", bundle: "/b.json", tasks: ["s[a\nrm -rf ~]", "s[$(id)`id`;x]"])
    let lines = script.split(separator: "\n", omittingEmptySubsequences: false)
    #expect(lines.count == 4, "\(lines)")  // shebang, comment, exec, and the empty rest after the last newline
    #expect(lines[1].hasPrefix("# pipe: "))
    #expect(lines[2] == "exec /p task exec /b.json")
}

@Test func resourceTextParses() {
    #expect(StageResources.parseMemory("4G") == 4096)
    #expect(StageResources.parseMemory("512M") == 512)
    #expect(StageResources.parseMemory("2000") == 2000)
    #expect(StageResources.parseMemory("4GB") == nil)
    #expect(StageResources.parseMemory("-1") == nil)
    #expect(StageResources.parseTime("90") == 90)
    #expect(StageResources.parseTime("45m") == 45)
    #expect(StageResources.parseTime("4h") == 240)
    #expect(StageResources.parseTime("1-02:00:00") == 1560)
    #expect(StageResources.parseTime("0:00:30") == 1)
    #expect(StageResources.parseTime("soon") == nil)
    #expect(StageResources.slurmTime(1560) == "1-02:00:00")
}

/// Numbers from a spec or a run record on disk never overflow: out of range is unreadable.
@Test func hugeResourceNumbersAreRefusedNotTraps() {
    #expect(StageResources.parseTime("9999999999999999-0") == nil)
    #expect(StageResources.parseTime("9999999999999999:00:00") == nil)
    #expect(StageResources.parseMemory("9223372036854775807") == nil)
    #expect(StageResources.parseMemory("9223372036854775807K") == nil)
    #expect(StageResources.parseMemory("1048576G") == StageResources.maxMemMB)
    let huge = TaskBundler.resources(of: [invocation("a", seconds: .greatestFiniteMagnitude), invocation("b", seconds: .nan)])
    #expect(huge.minutes == 1_000_000)
}

/// Options pipe needs to follow its jobs, and those a resource field sets, stay out of `extra`.
@Test func extraMayNotOverrideWhatPipeSets() {
    for argument in ["--job-name=x", "-Jx", "--comment=hi", "--output=/tmp/x", "-o", "--signal=USR2", "--chdir=/",
                     "--array=1-3", "--wrap=id", "--export=NONE", "--exclude=n1", "--mem=1G", "-t5", "--partition=gpu"] {
        #expect(StageResources.reservedOption(argument) != nil, "\(argument)")
    }
    for argument in ["--constraint=avx512", "--nice=10", "--mail-type=END"] {
        #expect(StageResources.reservedOption(argument) == nil, "\(argument)")
    }
}

private func invocation(_ name: String, seconds: Double, resources: StageResources = StageResources(cpus: 1)) -> TaskInvocation {
    TaskInvocation(key: Digest.of(Data(name.utf8)), task: name, stage: "s", kind: "command", index: nil, inputs: [],
                   resources: resources, estimatedSeconds: seconds)
}

@Test func bundlerPacksSmallTasksAndLeavesBigOnesAlone() {
    let tasks = (0..<7).map { invocation("t\($0)", seconds: 100) } + [invocation("big", seconds: 5000)]
        + [invocation("gpu", seconds: 10, resources: StageResources(cpus: 1, partition: "gpu"))]
    let bundles = TaskBundler.pack(tasks, targetSeconds: 300, maxTasks: 50)
    #expect(bundles == [[0, 1, 2], [3, 4, 5], [6], [7], [8]])
    #expect(TaskBundler.pack(tasks, targetSeconds: 10_000, maxTasks: 4).map(\.count) == [4, 4, 1])
    #expect(TaskBundler.pack(tasks, targetSeconds: 0, maxTasks: 50).count == tasks.count)
}

@Test func bundleAsksForTheMostAndEnoughTime() {
    let combined = TaskBundler.resources(of: [
        invocation("a", seconds: 600, resources: StageResources(cpus: 1, memMB: 1000, minutes: 30)),
        invocation("b", seconds: 600, resources: StageResources(cpus: 2, memMB: 500, minutes: 20)),
    ])
    #expect(combined.cpus == 2)
    #expect(combined.memMB == 1000)
    #expect(combined.minutes == 60)  // 3 x 20 minutes of estimates > the longest limit
}

/// Job ids come from scheduler output and from journal files on the shared filesystem, and go
/// into scancel's arguments: only ASCII digits count.
@Test func onlyAsciiDigitsAreJobIDs() throws {
    #expect(SlurmCommands.isJobID("12345"))
    for hostile in ["", "--user=me", "12 3", "١٢", "½", "12;x"] { #expect(!SlurmCommands.isJobID(hostile), "\(hostile)") }
    #expect(SlurmCommands.parseSubmitted("--user=me\n") == nil)
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let journal = JobJournal(cacheRoot: dir.path)
    let key = Digest.of(Data("k".utf8))
    try journal.write(JobJournal.Entry(key: key, task: "t", jobName: "n", jobID: "--user=me", token: "t", log: "l"))
    #expect(journal.read(key) == nil && journal.all().isEmpty)
    try journal.write(JobJournal.Entry(key: key, task: "t", jobName: "n", jobID: "42", token: "t", log: "l"))
    #expect(journal.read(key)?.jobID == "42")
}

/// An entry written before sbatch and never given its id is matched to its job by token;
/// entries with an id, or whose token no queued job carries, are left as they are.
@Test func journalEntriesWithoutAnIdAreMatchedByToken() {
    let entry = { (name: String, id: String?, token: String?) in
        JobJournal.Entry(key: Digest.of(Data(name.utf8)), task: name, jobName: "pipe-1", jobID: id, token: token, log: "l")
    }
    let entries = [entry("lost", nil, "pipe-1-2-aa"), entry("known", "5", "pipe-1-1-bb"), entry("gone", nil, "pipe-1-3-cc"),
                   entry("old", nil, nil)]
    let queue = SlurmCommands.parseQueue("7|RUNNING|n1|None|pipe-1-2-aa\n8|PENDING||Priority|\n9|RUNNING|n2|None|other\n")
    #expect(JobJournal.identified(entries, in: queue).map(\.jobID) == ["7", "5", nil, nil])
}
