import Foundation
import PipeCore
import TestSupport
import Testing

/// The real experiment series in `pipelines/`, shrunk by `--set` (the same
/// overrides for every version, so shared tasks keep their keys).
private let shrink = [
    "--set", "data.kidney.synthetic.images=3", "--set", "data.kidney.synthetic.side=1024",
    "--set", "data.kidney.synthetic.test_images=1", "--set", "train.epochs=1",
    "--set", "data.holdout.synthetic.images=1", "--set", "data.holdout.synthetic.side=1024",
]
private let shrinkExternal = ["--set", "data.external.synthetic-external.tiles=3",
                              "--set", "data.external.synthetic-external.side=512"]

/// `status` by task name from `pipe run --json`.
private func statuses(_ result: ProcessResult) throws -> [String: String] {
    let json = try JSONValue(parsing: result.stdout)
    var statuses: [String: String] = [:]
    for task in json["tasks"]?.arrayValue ?? [] {
        if let name = task["task"]?.stringValue, let status = task["status"]?.stringValue { statuses[name] = status }
    }
    return statuses
}

@Test func seriesRerunsOnlyWhatEachVersionChanged() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    try FileManager.default.copyItem(at: PipeBinary.repositoryRoot.appendingPathComponent("pipelines"),
                                     to: dir.file("pipelines"))
    func run(_ version: String, _ extra: [String] = []) throws -> [String: String] {
        let result = try PipeBinary.run(["run", "pipelines/\(version).yaml", "--json"] + shrink + extra, in: dir.path)
        #expect(result.status == 0, "\(version): \(result.stderr)")
        return try statuses(result)
    }

    let v43 = try run("v43")
    #expect(!v43.isEmpty && v43.values.allSatisfy { $0 == "ran" }, "\(v43)")
    let imageTiles = v43.keys.filter { $0.hasPrefix("tile[") }
    #expect(imageTiles.count == 3)
    #expect(v43["data.holdout"] == "ran")

    // v18 adds test-time augmentation: only inference and what reads it rerun.
    let v18 = try run("v18")
    let ranInV18 = Set(v18.filter { $0.value == "ran" }.keys)
    #expect(ranInV18 == Set(v18.keys.filter { $0.hasPrefix("infer[") } + ["submit"]), "\(v18)")

    // v54 (via v19's BCE loss) adds the external tiles: the train images are not re-tiled.
    let v54 = try run("v54", shrinkExternal)
    for task in imageTiles { #expect(v54[task] == "cached", "\(task) was re-tiled") }
    #expect(v54["data.kidney"] == "cached")
    #expect(v54["data.holdout"] == "cached")
    #expect(v54["tile[external]"] == "ran")
    for task in ["augment", "train[0]", "train[1]", "validate", "submit"] { #expect(v54[task] == "ran", "\(task): \(v54[task] ?? "absent")") }
    #expect(FileManager.default.fileExists(atPath: dir.file("runs/v54/submit/submission.csv").path))
}
