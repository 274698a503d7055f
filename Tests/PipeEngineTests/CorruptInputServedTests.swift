import EngineTestSupport
import Foundation
import PipeCache
import PipeCore
import PipeEngine
import Testing

/// a -> b; b's params change so it runs while a stays cached.
private func spec(_ tag: Int) -> String {
    """
    pipeline: p
    stages:
      a: {kind: command, cmd: "printf 'abcdef\\\\n' > a.txt", outs: [a.txt]}
      b: {kind: command, deps: [a], params: {tag: \(tag)}, cmd: "tr a-z A-Z < ${deps.a}/a.txt > b.txt", outs: [b.txt]}
    """
}

/// Overwrites `object` in place the moment task `a` is reported cached: after
/// its lookup checked it, before b (which waits for a) reads it.
private struct CorruptAfterLookup: EngineObserver {
    let object: String

    func taskStarted(_ task: String, stage: String, reasons: [RunReason]) {}
    func taskProgress(_ task: String, fraction: Double?, message: String) {}
    func taskFinished(_ report: TaskReport) {
        guard report.task == "a", report.status == .cached else { return }
        chmod(object, 0o644)
        guard let handle = FileHandle(forWritingAtPath: object) else { return }
        handle.write(Data("ZZZ".utf8))
        try? handle.close()
    }
}

@Test func anInputCorruptedAfterItsLookupIsCaughtBeforeTheTaskReadsIt() async throws {
    let fixture = try EngineFixture()
    defer { fixture.remove() }
    try fixture.write("p.yaml", spec(1))
    let first = try await fixture.run("p.yaml")
    let cache = try Cache(root: fixture.cacheRoot)
    let tree = try #require(first.tasks.first { $0.task == "a" }?.output)
    let object = cache.objects.path(of: try #require(cache.objects.manifest(tree)?.entries.first).digest)

    try fixture.write("p.yaml", spec(2))
    let options = EngineOptions(jobs: 2, outputsRoot: fixture.dir.path, pipeVersion: "test")
    let second = try await Engine(spec: try fixture.load("p.yaml"), cache: cache, registry: .standard, options: options,
                                  observer: CorruptAfterLookup(object: object)).execute()
    #expect(second.tasks(.cached) == ["a"])
    #expect(second.tasks(.failed) == ["b"])
    let error = second.tasks.first { $0.task == "b" }?.error ?? ""
    #expect(error.contains("input a of stage b was corrupt in the cache"), "\(error)")

    let third = try await fixture.run("p.yaml")
    #expect(third.tasks(.ran) == ["a", "b"])
    #expect(try String(contentsOf: fixture.dir.file("runs/p/b/b.txt"), encoding: .utf8) == "ABCDEF\n")
    #expect(try String(contentsOf: fixture.dir.file("runs/p/a/a.txt"), encoding: .utf8) == "abcdef\n")
}
