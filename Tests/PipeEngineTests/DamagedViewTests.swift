import EngineTestSupport
import Foundation
import PipeCache
import PipeCore
import PipeEngine
import Testing

/// a -> b, where b lists and copies what it sees of a's output.
private func spec(tag: String) -> String {
    """
    pipeline: p
    stages:
      a: {kind: command, cmd: "seq 1 3 > a.txt", outs: [a.txt]}
      b: {kind: command, deps: [a], params: {tag: \(tag)}, cmd: "ls ${deps.a} > b.txt; cat ${deps.a}/a.txt >> b.txt", outs: [b.txt]}
    """
}

@Test func aViewSomethingWroteIntoIsRebuiltOrItsProducerRerunBeforeATaskReadsIt() async throws {
    let fixture = try EngineFixture()
    defer { fixture.remove() }
    try fixture.write("p.yaml", spec(tag: "1"))
    let first = try await fixture.run("p.yaml")
    let output = try #require(first.tasks.first { $0.task == "a" }?.output)
    let view = try Cache(root: fixture.cacheRoot).objects.viewPath(of: output)

    // A stray file in the view: the view is rebuilt from intact objects and b never sees it.
    try fixture.write("p.yaml", spec(tag: "2"))
    FileManager.default.createFile(atPath: "\(view)/stray.txt", contents: Data("x".utf8))
    let stray = try await fixture.run("p.yaml")
    #expect(stray.tasks(.ran) == ["b"])
    #expect(try String(contentsOf: fixture.dir.file("runs/p/b/b.txt"), encoding: .utf8) == "a.txt\n1\n2\n3\n")

    // Bytes appended through the view's hard link: a's lookup finds its object's stamp
    // changed and its bytes wrong, evicts it with b's results, and both run again at once.
    try fixture.write("p.yaml", spec(tag: "3"))
    chmod("\(view)/a.txt", 0o644)
    let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: "\(view)/a.txt"))
    try handle.seekToEnd()
    try handle.write(contentsOf: Data("4\n".utf8))
    try handle.close()
    let rerun = try await fixture.run("p.yaml")
    #expect(rerun.tasks(.ran) == ["a", "b"])
    #expect(rerun.reason("a") == "output corrupt; evicted")
    for file in ["runs/p/a/a.txt", "runs/p/b/b.txt"] {
        #expect(try String(contentsOf: fixture.dir.file(file), encoding: .utf8).hasSuffix("1\n2\n3\n"), "\(file)")
    }
}
