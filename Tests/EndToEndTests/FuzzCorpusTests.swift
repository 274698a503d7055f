import Foundation
import TestSupport
import Testing

/// Every committed fuzz input (seed corpus and saved regressions) goes through its target in the
/// reproducer build of `pipe-fuzz` without crashing, so a fixed crash stays fixed without libFuzzer.
@Suite struct FuzzCorpusTests {
    static var reproducer: String { PipeBinary.path(of: "pipe-fuzz") }

    static func inputs(_ target: String, _ kind: String) -> [String] {
        let dir = PipeBinary.repositoryRoot.appendingPathComponent("Fuzz/\(kind)/\(target)")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        return names.sorted().map { dir.appendingPathComponent($0).path }
    }

    static func run(_ target: String, _ files: [String]) throws -> ProcessResult {
        var environment = ProcessInfo.processInfo.environment
        environment["SWIFT_BACKTRACE"] = "enable=no"
        return try runProcess(reproducer, [target] + files, environment: environment)
    }

    @Test(arguments: ["tiff", "png", "jpeg", "rle", "safetensors", "npy", "metadata"])
    func dataParsersSurviveEveryCommittedInput(target: String) throws {
        let files = Self.inputs(target, "corpus") + Self.inputs(target, "regressions")
        #expect(files.count >= 5, "the \(target) corpus is missing")
        let result = try Self.run(target, files)
        #expect(result.status == 0, "\(target): \(result.stdout.suffix(300)) \(result.stderr.suffix(500))")
        #expect(result.stdout.split(separator: "\n").count == files.count)
    }

    /// The spec seeds and the saved spec regressions (a self-referencing param
    /// crashed the loader before issue 14) load or fail with diagnostics, never crash.
    @Test
    func specLoaderSurvivesTheCorpus() throws {
        let files = Self.inputs("spec", "corpus") + Self.inputs("spec", "regressions")
        #expect(files.count >= 5, "the spec corpus is missing")
        let result = try Self.run("spec", files)
        #expect(result.status == 0, "\(result.stderr.suffix(500))")
        #expect(result.stdout.split(separator: "\n").count == files.count)
    }
}
