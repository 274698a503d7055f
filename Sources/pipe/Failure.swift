import ArgumentParser
import Foundation
import PipeCore

/// Every error the CLI reports, as a value carrying what went wrong. Commands
/// throw it; `PipeCommand.main` renders it (`lines`, on stderr) and exits with
/// `exitCode`: the README's 2 for a usage, spec or input error, 1 when a stage
/// or the cache failed.
enum Failure: Error {
    /// A bad argument, option or input file: exit 2.
    case usage(String)
    /// Problems in a spec, each located when it can be: exit 2.
    case spec(Diagnostics)
    /// The work failed (a cache failure, a corrupt artifact): exit 1.
    case failed(String)

    var exitCode: Int32 {
        switch self {
        case .usage, .spec: return 2
        case .failed: return 1
        }
    }

    /// One line per problem: `error: message`, or `file:line:col: error: message`.
    var lines: [String] {
        switch self {
        case .usage(let message), .failed(let message):
            return message.split(separator: "\n", omittingEmptySubsequences: false).map { "error: \($0)" }
        case .spec(let diagnostics):
            return diagnostics.all.map(Self.line)
        }
    }

    /// The line for one diagnostic. Problems in a `--set` value name the
    /// override instead of a line and column.
    static func line(_ diagnostic: Diagnostic) -> String {
        guard let location = diagnostic.location else { return "error: \(diagnostic.message)" }
        if location.file.hasPrefix("--set ") { return "\(location.file): error: \(diagnostic.message)" }
        return "\(location): error: \(diagnostic.message)"
    }

    /// One spec problem without a location, as a spec error.
    static func spec(_ message: String) -> Failure { .spec(Diagnostics([Diagnostic(message)])) }

    /// A located diagnostic (the engine's refusals), as a spec error.
    static func spec(_ diagnostic: Diagnostic) -> Failure { .spec(Diagnostics([diagnostic])) }

    /// Prints the lines on stderr.
    func print() {
        FileHandle.standardError.write(Data(lines.map { $0 + "\n" }.joined().utf8))
    }

    /// `; did you mean 'x'?` when one candidate is close to `word`, else empty.
    static func suggestion(_ word: String, _ candidates: [String]) -> String {
        closestMatch(to: word, in: candidates).map { "; did you mean '\($0)'?" } ?? ""
    }
}
