import Foundation

/// The one error type of the Imaging module: what went wrong with which file or thing, and how to
/// fix it. `message` is user-facing (lower-case, quotes the offending thing); the CLI renders it.
public struct ImagingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A stable category, for tests and for callers that react differently.
    public enum Code: String, Sendable, Equatable {
        case io            // cannot open, read or write a file
        case corrupt       // the file is not what it claims (truncated, bad header, decode failure)
        case unsupported   // a valid file using a feature pipe does not read
        case tooLarge      // a request or header that would need unreasonable memory
        case invalidArgument
        case malformedRLE
        case malformedPolygon
        case sizeMismatch
    }

    public var code: Code
    public var message: String
    /// The file concerned, when there is one.
    public var path: String?

    public init(_ code: Code, _ message: String, path: String? = nil) {
        self.code = code
        self.message = message
        self.path = path
    }

    public var description: String {
        if let path { return "\(path): \(message)" }
        return message
    }
}
