import Foundation
import PipeCore

/// The one locator of the `pipe` executable the tests run as a user would.
/// Test targets that use it depend on the `pipe` product (Package.swift), so
/// `swift test` builds it first and no test skips for want of it.
public enum PipeBinary {
    public static var repositoryRoot: URL { PipeRepository.root }

    /// `.build/debug/pipe` (or the configuration the tests were built with).
    public static var path: String { path(of: "pipe") }

    /// A product built beside the tests (`pipe`, `pipe-fuzz`): next to the
    /// test bundle, else under `.build/debug` or `.build/release`.
    public static func path(of product: String) -> String {
        let bundle = Bundle.main.bundleURL
        var candidates = [bundle.deletingLastPathComponent().appendingPathComponent(product).path,
                          bundle.appendingPathComponent(product).path]
        for configuration in ["debug", "release"] {
            candidates.append(repositoryRoot.appendingPathComponent(".build/\(configuration)/\(product)").path)
        }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? candidates.last!
    }

    @discardableResult
    public static func run(_ arguments: [String], in directory: String, environment extra: [String: String] = [:]) throws -> ProcessResult {
        var environment = ProcessInfo.processInfo.environment
        environment["PIPE_CACHE"] = nil
        environment.merge(extra) { _, new in new }
        return try runProcess(path, arguments, cwd: directory, environment: environment)
    }

    /// Starts `pipe` without waiting for it.
    public static func start(_ arguments: [String], in directory: String, environment extra: [String: String] = [:]) throws -> ChildProcess {
        try ChildProcess.start(path, arguments, directory: directory,
                               environment: ProcessInfo.processInfo.environment.merging(extra) { _, new in new })
    }
}
