import ArgumentParser
import Foundation
import PipeCore

/// The one place spec problems become text: one line each on stderr,
/// `file:line:col: error: message`, then exit status 2.
enum DiagnosticRendering {
    /// The line for one diagnostic. Problems in a `--set` value name the
    /// override instead of a line and column.
    static func line(_ diagnostic: Diagnostic) -> String {
        guard let location = diagnostic.location else { return "error: \(diagnostic.message)" }
        if location.file.hasPrefix("--set ") { return "\(location.file): error: \(diagnostic.message)" }
        return "\(location): error: \(diagnostic.message)"
    }

    /// Prints every diagnostic to stderr and returns the exit code to throw (2).
    static func report(_ diagnostics: Diagnostics) -> ExitCode {
        let text = diagnostics.all.map(line).joined(separator: "\n") + "\n"
        FileHandle.standardError.write(Data(text.utf8))
        return ExitCode(2)
    }

    /// Prints one problem without a location and returns exit code 2.
    static func report(_ message: String) -> ExitCode {
        report(Diagnostics([Diagnostic(message)]))
    }
}
