import ArgumentParser
import Foundation
import PipeSpec

/// `pipe-bench slurm`: what the Slurm executor costs. (1) The scheduler
/// calls of an N-task plan (default 1,000) against fake `sbatch`/`squeue`/
/// `sacct`/`scancel` on PATH that count themselves and run each job as a
/// background process. (2) With a real Slurm (`sinfo` answers), the wall time
/// of small command tasks run locally, as one job per task and bundled,
/// side by side, and the per-task overhead that follows.
struct SlurmBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "slurm", abstract: "Slurm executor: scheduler calls for a large plan, per-task overhead vs local.")

    @Option(help: "Tasks in the plan counted against the fake scheduler.") var tasks = 1000
    @Option(help: "Tasks in the real-Slurm overhead runs.") var overheadTasks = 12
    @Option(help: "Repetitions of each real-Slurm run (the median is reported).") var repeats = 3
    @Option(help: "Work directory (default: a new temporary one).") var workspace: String?

    func run() async throws {
        let root = workspace ?? NSTemporaryDirectory() + "pipe-bench-slurm-\(getpid())"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let pipe = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            .deletingLastPathComponent().appendingPathComponent("pipe").path
        print("machine: \(ProcessInfo.processInfo.activeProcessorCount) cores; pipe: \(pipe)")
        try countCalls(pipe: pipe, root: "\(root)/fake")
        if (try? shell("sinfo --noheader >/dev/null", in: root)) != nil {
            try measureOverhead(pipe: pipe, root: "\(root)/real")
        } else {
            print("\nno Slurm here (sinfo failed): per-task overhead not measured")
        }
    }

    /// A plan of `count` tiny command tasks (one stage fanned out) and one task reading them all.
    static func spec(_ count: Int, name: String) -> String {
        """
        pipeline: \(name)
        params: {items: [\((0..<count).map(String.init).joined(separator: ", "))]}
        stages:
          each:
            kind: command
            foreach: "${params.items}"
            cmd: "echo ${item} > out.txt"
            outs: [out.txt]
          all:
            kind: command
            deps: [each]
            cmd: "ls ${deps.each} | wc -l > count.txt"
            outs: [count.txt]
        """
    }

    private func countCalls(pipe: String, root: String) throws {
        let bin = "\(root)/bin"
        try FileManager.default.createDirectory(atPath: "\(root)/jobs", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
        for (tool, body) in FakeSlurm.tools(state: root) {
            try Data(body.utf8).write(to: URL(fileURLWithPath: "\(bin)/\(tool)"))
            chmod("\(bin)/\(tool)", 0o755)
        }
        try Self.spec(tasks, name: "wide").write(toFile: "\(root)/wide.yaml", atomically: true, encoding: .utf8)
        let started = Date()
        try shell("PATH=\(ShellQuoteContext.singleQuoted(bin)):\"$PATH\" \(ShellQuoteContext.singleQuoted(pipe)) run wide.yaml --executor slurm --poll-max 2 --json > run.json", in: root)
        let seconds = Date().timeIntervalSince(started)
        let calls = (try? String(contentsOfFile: "\(root)/calls", encoding: .utf8)) ?? ""
        let count = { (tool: String) in calls.split(separator: "\n").filter { $0 == tool }.count }
        print("""

            \(tasks + 1)-task plan against a fake Slurm (jobs run as local processes), \(String(format: "%.1f", seconds)) s:
              sbatch  \(count("sbatch"))   (one per bundle of small tasks)
              squeue  \(count("squeue"))   (one per poll for the whole run)
              sacct   \(count("sacct"))
              scancel \(count("scancel"))
            """)
    }

    private func measureOverhead(pipe: String, root: String) throws {
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let runs: [(label: String, arguments: String)] = [
            ("local", ""), ("slurm, one job per task", "--executor slurm --poll-max 1 --bundle-seconds 0"),
            ("slurm, bundled", "--executor slurm --poll-max 1"),
        ]
        var times: [String: [Double]] = [:]
        for repeatIndex in 0..<repeats {
            for run in runs {
                let directory = "\(root)/\(repeatIndex)-\(run.label.filter(\.isLetter))"
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
                try Self.spec(overheadTasks, name: "small").write(toFile: "\(directory)/small.yaml", atomically: true,
                                                                  encoding: .utf8)
                let started = Date()
                try shell("\(ShellQuoteContext.singleQuoted(pipe)) run small.yaml \(run.arguments) > /dev/null", in: directory)
                times[run.label, default: []].append(Date().timeIntervalSince(started))
            }
        }
        let median = { (values: [Double]) in values.sorted()[values.count / 2] }
        let local = median(times["local"] ?? [0])
        print("\n\(overheadTasks + 1) small command tasks on the real cluster, median of \(repeats), side by side:")
        for run in runs {
            let value = median(times[run.label] ?? [0])
            print(String(format: "  %-26@ %6.1f s   %+.2f s per task vs local", run.label as NSString, value,
                         (value - local) / Double(overheadTasks + 1)))
        }
    }
}

/// Shell scripts standing in for Slurm's tools: each appends its name to
/// `<state>/calls`; `sbatch` runs the job script in the background and
/// remembers its pid; `squeue` lists live jobs as RUNNING, ended ones as COMPLETED.
enum FakeSlurm {
    static func tools(state: String) -> [String: String] {
        let q = ShellQuoteContext.singleQuoted(state)
        return [
            "sbatch": """
                #!/bin/sh
                echo sbatch >> \(q)/calls
                for arg; do script="$arg"; case "$arg" in --job-name=*) name="${arg#--job-name=}";; --output=*) log="${arg#--output=}";; esac; done
                id=$(( $(ls \(q)/jobs | wc -l) + 1000 ))
                sh "$script" > "$log" 2>&1 &
                echo "$id $name $!" > \(q)/jobs/"$id"
                echo "$id"
                """,
            "squeue": """
                #!/bin/sh
                echo squeue >> \(q)/calls
                for file in \(q)/jobs/*; do
                    [ -f "$file" ] || continue
                    read id name pid < "$file"
                    if kill -0 "$pid" 2>/dev/null; then echo "$id|RUNNING|fake|None"; else echo "$id|COMPLETED|fake|None"; fi
                done
                """,
            "sacct": "#!/bin/sh\necho sacct >> \(q)/calls\necho 'accounting storage is disabled' >&2\nexit 1\n",
            "scancel": """
                #!/bin/sh
                echo scancel >> \(q)/calls
                for id; do read i name pid < \(q)/jobs/"$id" && kill "$pid"; done
                """,
        ]
    }
}
