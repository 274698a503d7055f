import Foundation
import PipeCore
import PipeSpec

/// `kind: command`: runs a user command in a fresh work directory where only
/// its declared path deps appear, at their paths relative to the spec, and
/// collects its declared `outs` (DESIGN §3).
public struct CommandStage: StageImplementation {
    public init() {}

    public var schema: StageKindSchema { CommandKind.schema }
    public var version: Int { 1 }

    public func tasks(of stage: StageSpec, inputs: [InputArtifact]?) throws -> [TaskItem]? {
        guard let items = stage.config["foreach"]?.arrayValue else { return [.single] }
        return items.map { TaskItem(index: $0.display, value: $0) }
    }

    /// Each task's key carries its own item, not the whole `foreach` list.
    public var unkeyedFields: Set<String> { ["foreach"] }

    public var itemEntersKey: Bool { true }

    public func run(_ context: TaskContext) async throws -> TaskOutcome {
        let stage = context.stage
        let work = context.scratchDirectory.appendingPathComponent("work")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        try placeDependencies(context.inputs, in: work)
        let substitution = CommandSubstitution(stage: stage, item: context.item, inputs: context.inputs)
        let argv = try substitution.argv()
        var environment = ProcessInfo.processInfo.environment
        for (name, value) in stage.config["env"]?.objectValue ?? [:] {
            environment[name] = try substitution.substitute(value.display, quoting: false, field: "env.\(name)")
        }
        environment["PIPE_PIPELINE"] = context.pipeline
        environment["PIPE_TASK"] = context.taskName
        environment["PIPE_OUTPUT"] = work.path
        // Declared inputs are read-only (the engine fails a task that changes
        // one): keep Python from caching bytecode beside imported dep modules.
        if environment["PYTHONDONTWRITEBYTECODE"] == nil { environment["PYTHONDONTWRITEBYTECODE"] = "1" }
        context.progress(nil, "running \(argv.joined(separator: " ").prefix(60))")
        let result = try await CommandRunner.run(argv, in: work, environment: environment,
                                                 logFile: context.scratchDirectory.appendingPathComponent("log.txt"))
        guard result.status == 0 else {
            throw StageError("command exited with status \(result.status)", at: stage.location(of: "cmd"), log: result.tail)
        }
        try collectOutputs(of: stage, from: work, into: context.outputDirectory, log: result.tail)
        let metrics = try readMetrics(of: stage, in: context.outputDirectory)
        return TaskOutcome(metrics: metrics, log: result.tail)
    }

    /// Links each path dependency into the work directory at its path relative to the spec.
    func placeDependencies(_ inputs: [InputArtifact], in work: URL) throws {
        for input in inputs {
            guard let relative = input.relativePath, !relative.hasPrefix("../"), !relative.hasPrefix("/") else { continue }
            let target = work.appendingPathComponent(relative)
            try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            try FileManager.default.createSymbolicLink(at: target, withDestinationURL: input.path)
        }
    }

    func collectOutputs(of stage: StageSpec, from work: URL, into output: URL, log: String) throws {
        for out in stage.config["outs"]?.arrayValue?.compactMap(\.stringValue) ?? [] {
            let source = work.appendingPathComponent(out)
            guard FileManager.default.fileExists(atPath: source.path) else {
                throw StageError("the command did not write its declared output '\(out)'; write it or remove it from outs",
                                 at: stage.location(of: "outs"), log: log)
            }
            let target = output.appendingPathComponent(out)
            try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            try FileManager.default.moveItem(at: source, to: target)
        }
    }

    func readMetrics(of stage: StageSpec, in output: URL) throws -> JSONValue {
        guard let name = stage.config["metrics"]?.stringValue else { return .object([:]) }
        let file = output.appendingPathComponent(name)
        guard let data = FileManager.default.contents(atPath: file.path) else {
            throw StageError("metrics file '\(name)' was not written; list it in outs and write it", at: stage.location(of: "metrics"))
        }
        guard let json = try? JSONValue(parsing: data), case .object(let members) = json else {
            throw StageError("metrics file '\(name)' is not a JSON object", at: stage.location(of: "metrics"))
        }
        return .object(members.filter { $0.value.doubleValue != nil })
    }
}
