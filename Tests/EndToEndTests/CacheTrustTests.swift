import Foundation
import PipeCore
import TestSupport
import Testing

/// a -> b, run by the built binary.
private let pipeline = """
    pipeline: p
    stages:
      a: {kind: command, cmd: "printf 'abcdef\\\\n' > a.txt", outs: [a.txt]}
      b: {kind: command, deps: [a], cmd: "tr a-z A-Z < ${deps.a}/a.txt > b.txt", outs: [b.txt]}
    """

private func statuses(_ result: ProcessResult) throws -> [String: String] {
    var status: [String: String] = [:]
    for task in try JSONValue(parsing: result.stdout)["tasks"]?.arrayValue ?? [] {
        status[task["task"]!.stringValue!] = task["status"]!.stringValue!
    }
    return status
}

private func writeInPlace(_ path: String, _ text: String) throws {
    let handle = try #require(FileHandle(forWritingAtPath: path))
    try handle.write(contentsOf: Data(text.utf8))
    try handle.close()
}

@Test func anEditThroughRunsIsNeverServedAndVerifyNamesIt() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    try dir.write("p.yaml", pipeline)
    #expect(try PipeBinary.run(["run", "p.yaml"], in: dir.path).status == 0)
    try writeInPlace(dir.file("runs/p/a/a.txt").path, "xyz")
    let rerun = try PipeBinary.run(["run", "p.yaml", "--json"], in: dir.path)
    #expect(rerun.status == 0)
    #expect(try statuses(rerun) == ["a": "ran", "b": "ran"])
    #expect(try String(contentsOf: dir.file("runs/p/a/a.txt"), encoding: .utf8) == "abcdef\n")
    #expect(try String(contentsOf: dir.file("runs/p/b/b.txt"), encoding: .utf8) == "ABCDEF\n")

    try writeInPlace(dir.file("runs/p/a/a.txt").path, "qrs")
    let verify = try PipeBinary.run(["cache", "verify", "--json"], in: dir.path)
    #expect(verify.status == 1)
    let report = try JSONValue(parsing: verify.stdout)
    #expect(report["corrupt_objects"]?.arrayValue?.count == 1)
    #expect(report["evicted_records"]?.arrayValue?.count == 2, "a produced it, b consumed it")
    let after = try PipeBinary.run(["run", "p.yaml", "--json"], in: dir.path)
    #expect(try statuses(after) == ["a": "ran", "b": "ran"])
    #expect(try String(contentsOf: dir.file("runs/p/a/a.txt"), encoding: .utf8) == "abcdef\n")
}

@Test(.enabled(if: toolAvailable(FileManager.default.isExecutableFile(atPath: "/usr/bin/sqlite3"))))
func aDamagedDatabaseGetsOneLineAndRepairKeepsEveryResult() throws {
    for damage in ["page", "truncate"] {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try dir.write("p.yaml", pipeline)
        for index in 0..<25 {
            #expect(try PipeBinary.run(["run", "p.yaml"], in: dir.path).status == 0)
            #expect(try PipeBinary.run(["record", "p", "--note", String(repeating: "n\(index) ", count: 60)],
                                       in: dir.path).status == 0)
        }
        let database = dir.file(".pipe/pipe.db").path
        let size = try #require(try FileManager.default.attributesOfItem(atPath: database)[.size] as? Int)
        if damage == "page" {
            // Overwrite the first page of the run history.
            let query = try runProcess("/usr/bin/sqlite3", [database, "SELECT rootpage FROM sqlite_master WHERE name = 'runs'"])
            let page = try #require(Int(query.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
            let handle = try #require(FileHandle(forWritingAtPath: database))
            try handle.seek(toOffset: UInt64((page - 1) * 4096))
            try handle.write(contentsOf: Data(repeating: 0xA5, count: 4096))
            try handle.close()
        } else {
            #expect(truncate(database, off_t(size / 2)) == 0)
        }
        let log = try PipeBinary.run(["log"], in: dir.path)
        #expect(log.status != 0, "\(damage)")
        let lines = log.stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(damage): \(log.stderr)")
        #expect(log.stderr.contains("'\(database)'") && log.stderr.contains("pipe cache repair"), "\(damage): \(log.stderr)")
        #expect(!log.stderr.contains("delete"))
        let status = try PipeBinary.run(["cache", "status"], in: dir.path)
        #expect(status.status == 1)
        #expect(status.stderr.hasPrefix("error: the cache database '\(database)' is damaged"), "\(damage): \(status.stderr)")
        #expect(status.stderr.split(separator: "\n").count == 1)
        let repair = try PipeBinary.run(["cache", "repair"], in: dir.path)
        #expect(repair.status == 0, "\(damage): \(repair.stderr)")
        #expect(repair.stdout.contains("moved the damaged database to"))
        #expect(repair.stdout.contains("not recovered:"))
        #expect(try PipeBinary.run(["log"], in: dir.path).status == 0)
        #expect(try PipeBinary.run(["cache", "gc"], in: dir.path).status == 0)
        let rerun = try PipeBinary.run(["run", "p.yaml", "--json"], in: dir.path)
        #expect(try statuses(rerun) == ["a": "cached", "b": "cached"], "\(damage): every result survives repair and gc")
    }
}
