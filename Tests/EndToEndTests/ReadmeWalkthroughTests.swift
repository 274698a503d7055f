import Foundation
import PipeCore
import TestSupport
import Testing

/// The README's "A walk through the example", command by command, from a
/// directory holding a copy of `examples/hello`.
@Test func theReadmeWalkThroughBehavesAsWritten() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    try FileManager.default.createDirectory(at: dir.file("examples"), withIntermediateDirectories: true)
    try FileManager.default.copyItem(at: PipeBinary.repositoryRoot.appendingPathComponent("examples/hello"),
                                     to: dir.file("examples/hello"))
    func pipe(_ arguments: String...) throws -> ProcessResult {
        let result = try PipeBinary.run(arguments, in: dir.path)
        #expect(result.status == 0, "pipe \(arguments.joined(separator: " ")): \(result.stderr)")
        return result
    }
    /// The table row of `task`, its cells split on runs of spaces.
    func row(_ result: ProcessResult, _ task: String) -> String {
        result.stdout.split(separator: "\n").first { $0.split(separator: " ").dropFirst().first.map(String.init) == task }
            .map(String.init) ?? ""
    }

    let first = try pipe("run", "examples/hello/v1.yaml")
    #expect(row(first, "prep").hasPrefix("prep     prep     ran "))
    #expect(row(first, "prep").hasSuffix("never run"))
    #expect(row(first, "fold[0]").contains("mean=8.6662"))
    #expect(row(first, "fold[0]").hasSuffix("never run"))
    #expect(first.stdout.contains("hello-v1: 5 ran in "))

    #expect(try pipe("run", "examples/hello/v1.yaml").stdout.contains("hello-v1: 5 cached in "))

    let plan = try pipe("plan", "examples/hello/v2.yaml")
    #expect(row(plan, "prep").hasPrefix("prep     prep     will-run "))
    #expect(row(plan, "prep").hasSuffix("  param prep.params.scale 2 -> 3"))
    for fold in ["fold[0]", "fold[1]", "fold[2]"] {
        #expect(row(plan, fold).hasSuffix("  upstream prep will run; reruns only if its output changes"), "\(plan.stdout)")
    }

    let second = try pipe("run", "examples/hello/v2.yaml")
    #expect(second.stdout.contains("hello-v2: 5 ran in "))
    #expect(row(second, "prep").hasSuffix("  param prep.params.scale 2 -> 3"))

    let diff = try pipe("diff", "examples/hello/v1.yaml", "examples/hello/v2.yaml")
    #expect(diff.stdout.contains("params.scale 2 -> 3"))
    #expect(diff.stdout.contains("prep: param prep.params.scale 2 -> 3"))

    let log = try pipe("log")
    #expect(log.stdout.contains("hello-v1") && log.stdout.contains("hello-v2"))
}
