import Foundation
import PipeCore

/// One pipeline runner under test and how to drive it.
enum BenchTool {
    case pipe(executable: String)
    case dvc(bin: String?)
    case snakemake(bin: String?)

    enum Action { case run(chunk: Int) }

    var name: String {
        switch self {
        case .pipe: return "pipe"
        case .dvc: return "dvc"
        case .snakemake: return "snakemake"
        }
    }

    var executable: String {
        switch self {
        case .pipe(let path): return path
        case .dvc(let bin): return bin.map { "\($0)/dvc" } ?? "dvc"
        case .snakemake(let bin): return bin.map { "\($0)/snakemake" } ?? "snakemake"
        }
    }

    var isAvailable: Bool {
        (try? shell("command -v \(executable) >/dev/null", in: "/")) != nil
    }

    /// Writes the tool's pipeline file(s) into `directory`.
    func setUp(_ directory: String) throws {
        switch self {
        case .pipe:
            try pipeSpec(chunk: 1_000_000).write(toFile: "\(directory)/pipeline.yaml", atomically: true, encoding: .utf8)
        case .dvc:
            try shell("git init -q && \(executable) init -q && \(executable) config core.analytics false", in: directory)
            try dvcYAML.write(toFile: "\(directory)/dvc.yaml", atomically: true, encoding: .utf8)
            try "chunk: 1000000\n".write(toFile: "\(directory)/params.yaml", atomically: true, encoding: .utf8)
        case .snakemake:
            try snakefile.write(toFile: "\(directory)/Snakefile", atomically: true, encoding: .utf8)
            try "chunk: 1000000\n".write(toFile: "\(directory)/config.yaml", atomically: true, encoding: .utf8)
        }
    }

    /// Runs the pipeline with `chunk` as its mid-pipeline param; returns wall seconds.
    func time(_ action: Action, in directory: String) throws -> Double {
        guard case .run(let chunk) = action else { return 0 }
        let command: String
        switch self {
        case .pipe:
            command = "\(executable) run pipeline.yaml --set params.chunk=\(chunk) > /dev/null"
        case .dvc:
            try "chunk: \(chunk)\n".write(toFile: "\(directory)/params.yaml", atomically: true, encoding: .utf8)
            command = "\(executable) repro -q > /dev/null"
        case .snakemake:
            try "chunk: \(chunk)\n".write(toFile: "\(directory)/config.yaml", atomically: true, encoding: .utf8)
            command = "\(executable) -c1 --quiet all -- report.txt > /dev/null 2>&1"
        }
        let start = Date()
        try shell(command, in: directory)
        return Date().timeIntervalSince(start)
    }

    func pipeSpec(chunk: Int) -> String {
        """
        pipeline: bench
        params: {chunk: \(chunk)}
        data: {raw: data}
        stages:
          heads: {kind: command, deps: [data.raw], cmd: '\(BenchWorkspace.heads)', outs: [heads.txt]}
          sample: {kind: command, deps: [data.raw], cmd: '\(BenchWorkspace.sample)', outs: [sample.bin]}
          chunk:
            kind: command
            deps: [sample]
            params: {chunk: "${params.chunk}"}
            cmd: '\(BenchWorkspace.chunk("${deps.sample}/sample.bin", chunk: "${stage.params.chunk}"))'
            outs: [parts]
          count: {kind: command, deps: [chunk], cmd: '\(BenchWorkspace.count("${deps.chunk}/parts"))', outs: [count.txt]}
          merge: {kind: command, deps: [heads, count], cmd: '\(BenchWorkspace.merge("${deps.heads}/heads.txt", "${deps.count}/count.txt"))', outs: [merged.txt]}
          report: {kind: command, deps: [merge], cmd: '\(BenchWorkspace.report("${deps.merge}/merged.txt"))', outs: [report.txt]}
        """
    }

    var dvcYAML: String {
        """
        stages:
          heads: {cmd: '\(BenchWorkspace.heads)', deps: [data], outs: [heads.txt]}
          sample: {cmd: '\(BenchWorkspace.sample)', deps: [data], outs: [sample.bin]}
          chunk: {cmd: '\(BenchWorkspace.chunk("sample.bin", chunk: "${chunk}"))', deps: [sample.bin], params: [chunk], outs: [parts]}
          count: {cmd: '\(BenchWorkspace.count("parts"))', deps: [parts], outs: [count.txt]}
          merge: {cmd: '\(BenchWorkspace.merge("heads.txt", "count.txt"))', deps: [heads.txt, count.txt], outs: [merged.txt]}
          report: {cmd: '\(BenchWorkspace.report("merged.txt"))', deps: [merged.txt], outs: [report.txt]}
        """
    }

    var snakefile: String {
        """
        configfile: "config.yaml"
        rule all:
            input: "report.txt"
        rule heads:
            input: "data"
            output: "heads.txt"
            shell: r'''\(BenchWorkspace.heads)'''
        rule sample:
            input: "data"
            output: "sample.bin"
            shell: r'''\(BenchWorkspace.sample)'''
        rule chunk:
            input: "sample.bin"
            output: directory("parts")
            params: chunk=config["chunk"]
            shell: r'''\(BenchWorkspace.chunk("{input}", chunk: "{params.chunk}"))'''
        rule count:
            input: "parts"
            output: "count.txt"
            shell: r'''\(BenchWorkspace.count("{input}"))'''
        rule merge:
            input: "heads.txt", "count.txt"
            output: "merged.txt"
            shell: r'''\(BenchWorkspace.merge("heads.txt", "count.txt"))'''
        rule report:
            input: "merged.txt"
            output: "report.txt"
            shell: r'''\(BenchWorkspace.report("{input}"))'''
        """
    }
}

/// Runs `command` with sh in `directory`; returns its standard output, throws with its output on failure.
@discardableResult
func shell(_ command: String, in directory: String) throws -> String {
    let output = try ChildProcess.run("/bin/sh", ["-c", command], directory: directory)
    let text = String(decoding: output.stdout, as: UTF8.self)
    guard output.status == 0 else {
        throw ValidationErrorText("'\(command)' failed in \(directory) with status \(output.status):\n\(text)"
                                  + String(decoding: output.stderr, as: UTF8.self))
    }
    return text
}

struct ValidationErrorText: Error, CustomStringConvertible {
    var description: String
    init(_ text: String) { description = text }
}
