import Foundation
import PipeCache
import PipeCore
import PipeEngine
import Testing

/// b reads a, and waits for s, which takes two seconds: a's result is looked
/// up (and checked) at once, b starts only when s is done.
private func spec(_ tag: Int) -> String {
    """
    pipeline: p
    stages:
      a: {kind: command, cmd: "printf 'abcdef\\\\n' > a.txt", outs: [a.txt]}
      s: {kind: command, params: {tag: \(tag)}, cmd: "sleep 2; echo \(tag) > s.txt", outs: [s.txt]}
      b: {kind: command, deps: [a, s], cmd: "tr a-z A-Z < ${deps.a}/a.txt > b.txt", outs: [b.txt]}
    """
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
    let running = Task { try await fixture.run("p.yaml") }
    try await Task.sleep(for: .milliseconds(1000))  // a checked and cached, s still sleeping
    chmod(object, 0o644)
    let handle = try #require(FileHandle(forWritingAtPath: object))
    try handle.write(contentsOf: Data("ZZZ".utf8))
    try handle.close()
    let second = try await running.value
    #expect(second.tasks(.cached) == ["a"])
    #expect(second.tasks(.failed) == ["b"])
    let error = second.tasks.first { $0.task == "b" }?.error ?? ""
    #expect(error.contains("input a of stage b was corrupt in the cache"), "\(error)")

    let third = try await fixture.run("p.yaml")
    #expect(third.tasks(.ran) == ["a", "b"])
    #expect(try String(contentsOf: fixture.dir.file("runs/p/b/b.txt"), encoding: .utf8) == "ABCDEF\n")
    #expect(try String(contentsOf: fixture.dir.file("runs/p/a/a.txt"), encoding: .utf8) == "abcdef\n")
}
