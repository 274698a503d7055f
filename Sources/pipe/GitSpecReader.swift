import Foundation
import PipeCore
import PipeSpec

/// Reads spec files as they were at a git revision (`pipe diff v54.yaml@HEAD~1 v54.yaml`),
/// including every file its `extends` chain names.
enum GitSpecReader {
    /// Splits `path@rev` into the path and the revision (nil for the working tree).
    static func split(_ argument: String) -> (path: String, revision: String?) {
        guard let at = argument.lastIndex(of: "@"), !FileManager.default.fileExists(atPath: argument) else {
            return (argument, nil)
        }
        return (String(argument[..<at]), String(argument[argument.index(after: at)...]))
    }

    static func reader(revision: String) -> SpecFileReader {
        SpecFileReader(read: { url in try show(url, at: revision) }, checksPaths: false)
    }

    /// The text of `url` at `revision`. Throws a `Diagnostic` carrying git's
    /// own message, which the spec loader shows as the reason.
    static func show(_ url: URL, at revision: String) throws -> String {
        do {
            let directory = url.deletingLastPathComponent().path
            let top = try git(["-C", directory, "rev-parse", "--show-toplevel"]).trimmingCharacters(in: .whitespacesAndNewlines)
            let absolute = url.standardizedFileURL.resolvingSymlinksInPath().path
            let root = URL(fileURLWithPath: top).resolvingSymlinksInPath().path
            guard absolute.hasPrefix(root + "/") else {
                throw GitError(message: "it is not inside the git repository at '\(top)'")
            }
            // Bytes that are not UTF-8 are located by the spec loader, as for a file on disk.
            return try SpecFileReader.decodeUTF8(gitData(["-C", top, "show", "\(revision):\(absolute.dropFirst(root.count + 1))"]))
        } catch let error as GitError {
            throw Diagnostic("not readable at revision '\(revision)': \(error.message)")
        }
    }

    struct GitError: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }

    /// Runs git and returns its output as text; on failure throws its stderr (`fatal: ...`).
    static func git(_ arguments: [String]) throws -> String {
        String(decoding: try gitData(arguments), as: UTF8.self)
    }

    /// Runs git and returns its output bytes; on failure throws its stderr (`fatal: ...`) as the message.
    static func gitData(_ arguments: [String]) throws -> Data {
        let output: ChildProcess.Output
        do { output = try ChildProcess.run("git", arguments) } catch { throw GitError(message: "\(error)") }
        guard output.status == 0 else {
            let message = String(decoding: output.stderr, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            throw GitError(message: message.split(separator: "\n").joined(separator: "; "))
        }
        return output.stdout
    }
}
