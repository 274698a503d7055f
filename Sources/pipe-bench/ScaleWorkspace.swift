import Foundation

/// The fan-out pipeline of `pipe-bench scale`, written for each tool: N tiny
/// `echo` tasks, one per item, and a gather that counts their outputs. The
/// one-item change replaces the last item, so exactly one item task and the
/// gather rerun.
struct ScaleWorkspace {
    let tool: BenchTool
    let directory: String
    let count: Int

    /// The items, the last one named by `last` (the changing one).
    func items(last: String) -> [String] { (0..<count - 1).map(String.init) + [last] }

    /// Creates the directory (anew) and the tool's set-up, then writes the pipeline for `last`.
    func create(last: String) throws {
        try? FileManager.default.removeItem(atPath: directory)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        if case .dvc = tool {
            try shell("git init -q && \(tool.executable) init -q && \(tool.executable) config core.analytics false",
                      in: directory)
        }
        try write(last: last)
    }

    /// (Re)writes the pipeline so that the last item is `last`.
    func write(last: String) throws {
        let items = items(last: last)
        switch tool {
        case .pipe:
            try """
                pipeline: scale
                stages:
                  shard:
                    kind: command
                    foreach: [\(items.map { "\"\($0)\"" }.joined(separator: ", "))]
                    cmd: "echo ${item} > out.txt"
                    outs: [out.txt]
                  gather: {kind: command, deps: [shard], cmd: "ls ${deps.shard} | wc -l > count.txt", outs: [count.txt]}

                """.write(toFile: "\(directory)/scale.yaml", atomically: true, encoding: .utf8)
        case .snakemake:
            try """
                ITEMS = [str(i) for i in range(\(count - 1))] + ["\(last)"]
                rule all:
                    input: "count.txt"
                rule item:
                    output: "items/{i}.txt"
                    shell: "echo {wildcards.i} > {output}"
                rule gather:
                    input: expand("items/{i}.txt", i=ITEMS)
                    output: "count.txt"
                    shell: "ls items | wc -l > {output}"

                """.write(toFile: "\(directory)/Snakefile", atomically: true, encoding: .utf8)
        case .dvc:
            try "items: [\(items.joined(separator: ", "))]\n"
                .write(toFile: "\(directory)/params.yaml", atomically: true, encoding: .utf8)
            try """
                stages:
                  shard:
                    foreach: ${items}
                    do:
                      cmd: mkdir -p items && echo ${item} > items/${item}.txt
                      outs: ["items/${item}.txt"]
                  gather:
                    cmd: ls items | wc -l > count.txt
                    deps: [items]
                    outs: [count.txt]

                """.write(toFile: "\(directory)/dvc.yaml", atomically: true, encoding: .utf8)
        }
    }

    /// The command that runs the pipeline (`plan`: only says what would run;
    /// for DVC `status`, since `repro --dry` fails before outputs exist).
    func command(plan: Bool) -> String {
        switch tool {
        case .pipe: return "\(tool.executable) \(plan ? "plan" : "run") scale.yaml"
        case .snakemake: return "\(tool.executable) -c2 --quiet\(plan ? " -n" : "")"
        case .dvc: return plan ? "\(tool.executable) status" : "\(tool.executable) repro -q"
        }
    }
}
