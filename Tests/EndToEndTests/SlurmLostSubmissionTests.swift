import Foundation
import PipeCore
import Testing
import TestSupport

/// The planner dies while `sbatch` runs: the job was submitted but its id never
/// reached the journal. Fake Slurm tools on PATH make that instant exact (the
/// fake `sbatch` kills pipe after taking the job), so this runs on any machine.
struct SlurmLostSubmissionTests {
    static let arguments = ["run", "p.yaml", "--json", "--executor", "slurm", "--poll-max", "1"]

    static func spec(_ word: String) -> String {
        "pipeline: lost\nstages:\n  one:\n    kind: command\n    cmd: \"echo \(word) > out.txt\"\n    outs: [out.txt]\n"
    }

    @Test func restartedRunReattachesByTokenAndCancelEndsTheJob() throws {
        let directory = try TemporaryDirectory("pipe-slurm-lost")
        let slurm = try FakeSlurmTools(state: directory.file("slurm").path)
        defer { directory.remove() }
        let journal = { SlurmCluster.journalEntries(in: directory.path) }
        try directory.write("p.yaml", Self.spec("one"))

        // Run 1 dies inside sbatch, after the job was taken: the journal has its token, no id.
        slurm.set("kill-planner")
        let first = try PipeBinary.run(Self.arguments, in: directory.path, environment: slurm.environment)
        #expect(first.status == 128 + SIGKILL, "\(first.stderr)")
        let lost = try #require(journal().first)
        #expect(lost["jobID"] == nil)
        #expect(lost["token"]?.stringValue == slurm.comment(of: "1000"), "the job carries the journal's token")

        // Run 2 finds job 1000 by its token in its squeue and waits for it: no second sbatch.
        slurm.clear("kill-planner")
        let workspace = directory.path
        let second = OwnThread { try PipeBinary.run(Self.arguments, in: workspace, environment: slurm.environment) }
        let deadline = Date().addingTimeInterval(300)  // generous: other builds may load both cores
        while journal().first?["jobID"]?.stringValue != "1000", Date() < deadline { usleep(50_000) }
        #expect(journal().first?["jobID"]?.stringValue == "1000", "reattached before the job ran")
        slurm.set("release")
        let result = try second.value()
        #expect(result.status == 0, "\(result.stderr)")
        let task = try JSONValue(parsing: result.stdout)["tasks"]?.arrayValue?.first { $0["task"]?.stringValue == "one" }
        #expect(task?["status"]?.stringValue == "ran", "\(result.stdout)")
        #expect(task?["job"]?.stringValue == "1000")
        #expect(slurm.calls("sbatch").count == 1, "sbatch once in total: \(slurm.calls("sbatch"))")
        #expect(journal().isEmpty)

        // A changed task, its planner killed the same way: `pipe cancel` finds job 1001 by token and ends it.
        slurm.clear("release")
        try directory.write("p.yaml", Self.spec("two"))
        slurm.set("kill-planner")
        #expect(try PipeBinary.run(Self.arguments, in: directory.path, environment: slurm.environment).status == 128 + SIGKILL)
        let cancel = try PipeBinary.run(["cancel"], in: directory.path, environment: slurm.environment)
        #expect(cancel.status == 0, "\(cancel.stderr)")
        #expect(cancel.stdout.contains("cancelled 1 Slurm job: 1001"), "\(cancel.stdout)")
        #expect(slurm.calls("scancel") == ["scancel 1001"])
        #expect(journal().isEmpty)
    }
}

/// A blocking call run on a thread of its own while the test watches its effects. In a
/// Task it would hold a thread of the small cooperative pool, and an awaiting poll loop
/// could then wait minutes for a thread while other suites' blocking calls hold the rest.
final class OwnThread<Value: Sendable>: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var result: Result<Value, Error>?

    init(_ body: @escaping @Sendable () throws -> Value) {
        Thread.detachNewThread {
            self.result = Result(catching: body)
            self.done.signal()
        }
    }

    func value() throws -> Value {
        done.wait()
        return try result!.get()
    }
}

/// Shell scripts standing in for Slurm's tools, keeping their state in files:
/// `sbatch` records each job (`jobs/<id>`: name and comment) and starts it in the
/// background, where it waits for the `release` flag before running its script
/// (or ends when cancelled); with the `kill-planner` flag set it SIGKILLs its
/// caller once the job is taken. `squeue` lists the jobs of the names asked,
/// with their comments; `scancel` marks jobs cancelled; accounting is off.
/// Every call is appended to `calls`.
struct FakeSlurmTools: Sendable {
    let state: String

    init(state: String) throws {
        self.state = state
        for directory in ["bin", "jobs"] {
            try FileManager.default.createDirectory(atPath: "\(state)/\(directory)", withIntermediateDirectories: true)
        }
        let q = "'" + state.replacingOccurrences(of: "'", with: "'\\''") + "'"
        let tools = [
            "sbatch": """
                #!/bin/sh
                echo "sbatch $*" >> \(q)/calls
                for arg; do
                    script="$arg"
                    case "$arg" in
                        --job-name=*) name="${arg#--job-name=}";; --comment=*) comment="${arg#--comment=}";;
                        --output=*) log="${arg#--output=}";; --chdir=*) dir="${arg#--chdir=}";;
                    esac
                done
                id=$(( $(ls \(q)/jobs | wc -l) + 1000 ))
                echo "$name|$comment" > \(q)/jobs/$id
                (
                    i=0
                    while [ ! -e \(q)/release ] && [ ! -e \(q)/cancelled.$id ] && [ $i -lt 3000 ]; do sleep 0.1; i=$((i + 1)); done
                    [ -e \(q)/release ] && [ ! -e \(q)/cancelled.$id ] && cd "$dir" && sh "$script" > "$log" 2>&1
                    touch \(q)/done.$id
                ) < /dev/null > /dev/null 2>&1 &
                if [ -e \(q)/kill-planner ]; then kill -9 $PPID; fi
                echo "$id"
                """,
            "squeue": """
                #!/bin/sh
                echo "squeue $*" >> \(q)/calls
                for arg; do case "$arg" in --name=*) names=",${arg#--name=},";; esac; done
                for file in \(q)/jobs/*; do
                    [ -f "$file" ] || continue
                    id="${file##*/}"
                    IFS='|' read -r name comment < "$file"
                    case "$names" in *",$name,"*) ;; *) continue;; esac
                    if [ -e \(q)/cancelled.$id ]; then state=CANCELLED; elif [ -e \(q)/done.$id ]; then state=COMPLETED; else state=RUNNING; fi
                    echo "$id|$state|fake01|None|$comment"
                done
                """,
            "scancel": "#!/bin/sh\necho \"scancel $*\" >> \(q)/calls\nfor id; do touch \(q)/cancelled.$id; done\n",
            "sacct": "#!/bin/sh\necho \"sacct $*\" >> \(q)/calls\necho 'accounting storage is disabled' >&2\nexit 1\n",
            "sinfo": "#!/bin/sh\necho 1\n",
        ]
        for (tool, body) in tools {
            let path = "\(state)/bin/\(tool)"
            try Data((body + "\n").utf8).write(to: URL(fileURLWithPath: path))
            chmod(path, 0o755)
        }
    }

    /// PATH with the fake tools first.
    var environment: [String: String] {
        ["PATH": "\(state)/bin:" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")]
    }

    func set(_ flag: String) { _ = FileManager.default.createFile(atPath: "\(state)/\(flag)", contents: Data()) }
    func clear(_ flag: String) { unlink("\(state)/\(flag)") }

    /// The calls made to `tool`, each with its arguments.
    func calls(_ tool: String) -> [String] {
        ((try? String(contentsOfFile: "\(state)/calls", encoding: .utf8)) ?? "").split(separator: "\n")
            .map(String.init).filter { $0.hasPrefix(tool + " ") || $0 == tool }
    }

    /// The `--comment` job `id` was submitted with.
    func comment(of id: String) -> String? {
        (try? String(contentsOfFile: "\(state)/jobs/\(id)", encoding: .utf8))?
            .trimmingCharacters(in: .newlines).split(separator: "|", omittingEmptySubsequences: false).last.map(String.init)
    }
}
