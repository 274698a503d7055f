import Foundation
import TestSupport

/// The `pipe` executable built beside the tests, run as a user would.
enum PipeBinary {
    static var repositoryRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    /// `.build/debug/pipe` (or the configuration the tests were built with).
    static var path: String {
        let bundle = Bundle.main.bundleURL
        var candidates = [bundle.deletingLastPathComponent().appendingPathComponent("pipe").path,
                          bundle.appendingPathComponent("pipe").path]
        for configuration in ["debug", "release"] {
            candidates.append(repositoryRoot.appendingPathComponent(".build/\(configuration)/pipe").path)
        }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? candidates.last!
    }

    static var exists: Bool { FileManager.default.isExecutableFile(atPath: path) }

    @discardableResult
    static func run(_ arguments: [String], in directory: String, environment extra: [String: String] = [:]) throws -> ProcessResult {
        var environment = ProcessInfo.processInfo.environment
        environment["PIPE_CACHE"] = nil
        environment.merge(extra) { _, new in new }
        return try runProcess(path, arguments, cwd: directory, environment: environment)
    }

    /// Starts `pipe` without waiting for it.
    static func start(_ arguments: [String], in directory: String, environment extra: [String: String] = [:]) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        if !extra.isEmpty { process.environment = ProcessInfo.processInfo.environment.merging(extra) { _, new in new } }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }
}
