import Foundation

/// The benchmark's input data and the same six-stage pipeline written for
/// each tool: heads (a checksum of all the input), sample (the first bytes of the
/// concatenated input), chunk (split by a `chunk` param: the mid-pipeline
/// change), count, merge, report.
struct BenchWorkspace {
    let root: String
    let files: Int
    let megabytes: Int

    var dataDirectory: String { "\(root)/data" }

    /// Writes the input files once (deterministic pseudo-random bytes).
    func create() throws {
        try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        let size = megabytes << 20
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        var buffer = [UInt8](repeating: 0, count: size)
        for file in 0..<files {
            let path = "\(dataDirectory)/part-\(String(format: "%02d", file)).bin"
            if FileManager.default.fileExists(atPath: path) { continue }
            buffer.withUnsafeMutableBytes { raw in
                let words = raw.bindMemory(to: UInt64.self)
                for i in words.indices {
                    state = state &* 6364136223846793005 &+ 1442695040888963407
                    words[i] = state ^ (state >> 29)
                }
            }
            FileManager.default.createFile(atPath: path, contents: Data(buffer))
        }
    }

    /// A fresh directory for one tool with the data linked in and its pipeline files.
    func prepare(for tool: BenchTool) throws -> String {
        let directory = "\(root)/\(tool.name)"
        try? FileManager.default.removeItem(atPath: directory)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: "\(directory)/data", withDestinationPath: dataDirectory)
        try tool.setUp(directory)
        return directory
    }

    /// The shell commands of the six stages, shared by every tool's pipeline
    /// (`IN_x` / `OUT` are filled per tool).
    static let heads = "cat data/*.bin | cksum > heads.txt"
    static let sample = "head -c 8000000 data/part-00.bin > sample.bin"
    static func chunk(_ sample: String, chunk: String) -> String {
        "mkdir -p parts && split -b \(chunk) \(sample) parts/p-"
    }
    static func count(_ parts: String) -> String { "ls \(parts) | wc -l > count.txt" }
    static func merge(_ heads: String, _ count: String) -> String { "cat \(heads) \(count) > merged.txt" }
    static func report(_ merged: String) -> String { "wc -l < \(merged) > report.txt" }
}
