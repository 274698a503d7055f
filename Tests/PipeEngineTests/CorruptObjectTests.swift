import EngineTestSupport
import Foundation
import PipeCache
import PipeCore
import PipeEngine
import PipeSpec
import Testing

/// a -> b -> c, each a command over the previous output.
private let chain = """
    pipeline: p
    stages:
      a: {kind: command, cmd: "printf 'abcdef\\\\n' > a.txt", outs: [a.txt]}
      b: {kind: command, deps: [a], cmd: "tr a-z A-Z < ${deps.a}/a.txt > b.txt", outs: [b.txt]}
      c: {kind: command, deps: [b], cmd: "cat ${deps.b}/b.txt ${deps.b}/b.txt > c.txt", outs: [c.txt]}
    """

private func text(_ fixture: EngineFixture, _ path: String) throws -> String {
    try String(contentsOf: fixture.dir.file(path), encoding: .utf8)
}

/// Writes `replacement` over the start of `path` in place, then puts its mtime back.
private func editInPlace(_ path: String, _ replacement: String) throws {
    var before = stat()
    stat(path, &before)
    chmod(path, 0o644)
    let handle = try #require(FileHandle(forWritingAtPath: path))
    try handle.write(contentsOf: Data(replacement.utf8))
    try handle.close()
    var times = [before.st_atim, before.st_mtim]
    utimensat(AT_FDCWD, path, &times, 0)
}

private func expectCorrectOutputs(_ fixture: EngineFixture) throws {
    #expect(try text(fixture, "runs/p/a/a.txt") == "abcdef\n")
    #expect(try text(fixture, "runs/p/b/b.txt") == "ABCDEF\n")
    #expect(try text(fixture, "runs/p/c/c.txt") == "ABCDEF\nABCDEF\n")
}

/// Runs the chain once and returns the fixture and the path of a's object.
private func ranChain() async throws -> (EngineFixture, String) {
    let fixture = try EngineFixture()
    try fixture.write("p.yaml", chain)
    let first = try await fixture.run("p.yaml")
    #expect(first.tasks(.ran) == ["a", "b", "c"])
    let cache = try Cache(root: fixture.cacheRoot)
    let tree = try #require(first.tasks.first { $0.task == "a" }?.output)
    let entry = try #require(cache.objects.manifest(tree)?.entries.first)
    return (fixture, cache.objects.path(of: entry.digest))
}

@Test func aSameSizeEditThroughTheRunsFolderIsCaughtAndEverythingFromItRecomputed() async throws {
    let (fixture, _) = try await ranChain()
    defer { fixture.remove() }
    try editInPlace(fixture.dir.file("runs/p/a/a.txt").path, "xyz")
    let rerun = try await fixture.run("p.yaml")
    #expect(rerun.tasks(.ran) == ["a", "b", "c"])
    #expect(rerun.reason("a") == "output corrupt; evicted")
    #expect(rerun.reason("b") == "input corrupt; evicted")
    try expectCorrectOutputs(fixture)
    let noop = try await fixture.run("p.yaml")
    #expect(noop.tasks(.cached) == ["a", "b", "c"])
}

@Test func editsTruncationAndDeletionOfTheObjectFileAreCaughtByTheNextRun() async throws {
    let damage: [(String, (String) throws -> Void, [String])] = [
        ("same-size edit", { try editInPlace($0, "ABC") }, ["a", "b", "c"]),
        ("truncation", { path in #expect(truncate(path, 2) == 0) }, ["a", "b", "c"]),
        // A deleted object is missing, not corrupt: only its producer reruns
        // (same bytes, same digest), what consumed the intact bytes stays cached.
        ("deletion", { path in #expect(unlink(path) == 0) }, ["a"]),
    ]
    for (name, harm, expected) in damage {
        let (fixture, object) = try await ranChain()
        defer { fixture.remove() }
        try harm(object)
        let rerun = try await fixture.run("p.yaml")
        #expect(rerun.tasks(.ran) == expected, "\(name)")
        #expect(rerun.tasks(.failed).isEmpty, "\(name)")
        try expectCorrectOutputs(fixture)
        #expect(try Cache(root: fixture.cacheRoot).verify().corruptObjects.isEmpty, "\(name)")
    }
}

@Test func aPermissionChangeAloneRecomputesNothingAndTheObjectIsReadOnlyAgain() async throws {
    let (fixture, object) = try await ranChain()
    defer { fixture.remove() }
    #expect(chmod(object, 0o666) == 0)
    let rerun = try await fixture.run("p.yaml")
    #expect(rerun.tasks(.cached) == ["a", "b", "c"])
    #expect((try FileManager.default.attributesOfItem(atPath: object)[.posixPermissions] as? Int) == 0o444)
    try expectCorrectOutputs(fixture)
}

@Test func verifyReportsAnEditEvictsEverythingComputedFromItAndTheNextRunRebuilds() async throws {
    let (fixture, object) = try await ranChain()
    defer { fixture.remove() }
    try editInPlace(fixture.dir.file("runs/p/a/a.txt").path, "uvw")
    let report = try Cache(root: fixture.cacheRoot).verify()
    #expect(report.corruptObjects == [object])
    #expect(report.brokenRecords.count == 3, "a, b (consumed a) and c (consumed b): \(report.brokenRecords)")
    let rerun = try await fixture.run("p.yaml")
    #expect(rerun.tasks(.ran) == ["a", "b", "c"])
    try expectCorrectOutputs(fixture)
}

@Test func anOutputSymlinkToAFileOutsideFailsTheTaskAndLeavesTheFileAlone() async throws {
    let fixture = try EngineFixture()
    defer { fixture.remove() }
    let outside = try TestOutside()
    defer { outside.remove() }
    try fixture.write("p.yaml", """
        pipeline: p
        stages:
          s: {kind: command, cmd: "ln -s \(outside.file) out.txt", outs: [out.txt]}
        """)
    let report = try await fixture.run("p.yaml")
    #expect(report.tasks(.failed) == ["s"])
    let error = report.tasks.first?.error ?? ""
    #expect(error.contains("output 'out.txt' is a symbolic link to '\(outside.file)'"), "\(error)")
    #expect((try FileManager.default.attributesOfItem(atPath: outside.file)[.posixPermissions] as? Int) == 0o664)
}

@Test func namesAndItemsThatWouldLeaveRunsAreRefusedByTheEngineItself() async throws {
    let fixture = try EngineFixture()
    defer { fixture.remove() }
    try fixture.write("p.yaml", """
        pipeline: p
        stages:
          s: {kind: command, foreach: [one, two], cmd: "echo ${item} > x.txt", outs: [x.txt]}
        """)
    let valid = try fixture.load("p.yaml")
    func run(_ spec: PipelineSpec) async throws -> RunReport {
        let options = EngineOptions(jobs: 2, outputsRoot: fixture.dir.path, pipeVersion: "test")
        return try await Engine(spec: spec, cache: try Cache(root: fixture.cacheRoot), registry: .standard,
                                options: options).execute()
    }
    for name in ["..", "", "a/b", "x\0y"] {
        var spec = valid
        spec.name = name
        await #expect(throws: Diagnostic.self, "pipeline '\(name)'") { try await run(spec) }
        spec = valid
        spec.stages[0].name = name
        await #expect(throws: Diagnostic.self, "stage '\(name)'") { try await run(spec) }
    }
    var items = valid
    items.stages[0].config = .object((valid.stages[0].config.objectValue ?? [:]).merging(
        ["foreach": .array([.string("../../escape"), .string("ok")])]) { _, new in new })
    let report = try await run(items)
    #expect(report.tasks(.failed) == ["s"])
    #expect(report.tasks.first?.error?.contains("foreach item '../../escape' of stage s cannot name a folder") == true)
    #expect(!FileManager.default.fileExists(atPath: fixture.dir.file("escape").path))
    #expect(!FileManager.default.fileExists(atPath: fixture.dir.file("runs/escape").path))
}

/// A file outside any workspace, mode 0664.
private struct TestOutside {
    let directory = NSTemporaryDirectory() + "pipe-outside-\(UUID().uuidString.prefix(8))"
    var file: String { "\(directory)/target.txt" }

    init() throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try Data("outside".utf8).write(to: URL(fileURLWithPath: file))
        chmod(file, 0o664)
    }

    func remove() { try? FileManager.default.removeItem(atPath: directory) }
}

@Test func verifyReportsEachKindOfDamageAndTheNextRunRecomputesWhatItEvicted() async throws {
    // (damage, corrupt objects reported, records evicted, tasks the next run recomputes)
    let cases: [(String, (EngineFixture, String) throws -> Void, Int, Int, [String])] = [
        ("edit of the object file", { _, object in try editInPlace(object, "ABC") }, 1, 3, ["a", "b", "c"]),
        ("edit through the view tasks read", { fixture, object in
            let view = try #require(FileManager.default.contentsOfDirectory(atPath: "\(fixture.cacheRoot)/views").first {
                FileManager.default.fileExists(atPath: "\(fixture.cacheRoot)/views/\($0)/a.txt")
            })
            try editInPlace("\(fixture.cacheRoot)/views/\(view)/a.txt", "ABC")
        }, 1, 3, ["a", "b", "c"]),
        ("truncation", { _, object in #expect(truncate(object, 1) == 0) }, 1, 3, ["a", "b", "c"]),
        ("deletion", { _, object in #expect(unlink(object) == 0) }, 0, 1, ["a"]),
        ("permission change", { _, object in #expect(chmod(object, 0o777) == 0) }, 0, 0, []),
    ]
    for (name, harm, corrupt, evicted, rerun) in cases {
        let (fixture, object) = try await ranChain()
        defer { fixture.remove() }
        try harm(fixture, object)
        let report = try Cache(root: fixture.cacheRoot).verify()
        #expect(report.corruptObjects.count == corrupt, "\(name): \(report.corruptObjects)")
        #expect(report.brokenRecords.count == evicted, "\(name): \(report.brokenRecords)")
        let next = try await fixture.run("p.yaml")
        #expect(next.tasks(.ran) == rerun, "\(name)")
        try expectCorrectOutputs(fixture)
        if FileManager.default.fileExists(atPath: object) {
            #expect((try FileManager.default.attributesOfItem(atPath: object)[.posixPermissions] as? Int) == 0o444, "\(name)")
        }
    }
}
