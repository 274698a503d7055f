import Foundation

/// A failure talking to a remote cache, phrased for the user.
///
/// Classified once from the response (or the transport error), so the retry policy judges a typed
/// value: `throttled` and `unavailable` are retried with backoff; everything else is final.
public struct RemoteError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What kind of failure this is.
    public enum Code: String, Sendable, Equatable {
        /// 404 / ENOENT: a miss in lookups, `objectMissing` in a download.
        case notFound
        /// An object named by a record is gone from the remote.
        case objectMissing
        /// 403: wrong credentials, an expired token, or no permission. Never a miss.
        case accessDenied
        /// 429 or 503 SlowDown: retried.
        case throttled
        /// 5xx, a timeout or a closed connection: retried.
        case unavailable
        /// Bytes whose digest differs from their name, or a malformed response.
        case integrity
        /// A bad remote URL, missing bucket, missing credentials: fix the settings.
        case configuration
    }

    /// The kind of failure.
    public var code: Code
    /// One line for the user: what failed, where, and how to fix it.
    public var message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// Whether the retry policy may try again.
    public var isRetryable: Bool { code == .throttled || code == .unavailable }

    public var description: String { message }
}
