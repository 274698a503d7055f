import ArgumentParser
import Foundation
import PipeCore

/// Errors the CLI reports itself: one lower-case line per problem on stderr,
/// then the exit code of DESIGN §2 (2 usage/spec, 1 a stage failed).
enum Failure {
    /// Prints `message` as an error and returns exit code 2 to throw.
    static func usage(_ message: String) -> ExitCode {
        printError(message)
        return ExitCode(2)
    }

    /// Prints `message` as an error and returns exit code 1 to throw.
    static func failed(_ message: String) -> ExitCode {
        printError(message)
        return ExitCode(1)
    }

    static func printError(_ message: String) {
        for line in message.split(separator: "\n", omittingEmptySubsequences: false) {
            FileHandle.standardError.write(Data("error: \(line)\n".utf8))
        }
    }

    /// `; did you mean 'x'?` when one candidate is close to `word`, else empty.
    static func suggestion(_ word: String, _ candidates: [String]) -> String {
        closestMatch(to: word, in: candidates).map { "; did you mean '\($0)'?" } ?? ""
    }
}
