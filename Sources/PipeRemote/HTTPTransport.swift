import Foundation

/// One HTTP exchange as the S3 client sees it: the seam where tests put a
/// fake server and production puts AsyncHTTPClient.
public struct HTTPRequest: Sendable {
    /// `GET`, `PUT`, `HEAD`, `POST`, `DELETE`.
    public var method: String
    /// The full URL, already percent-encoded.
    public var url: String
    /// Headers to send (signed ones included).
    public var headers: [(String, String)]
    /// The body, if any.
    public var body: Data?
    /// Where a successful (2xx) response body is streamed, instead of memory.
    public var downloadTo: String?
    /// The most bytes a download may bring: a server sending more is refused mid-stream.
    public var downloadLimit: Int64 = .max

    /// Creates a request.
    public init(method: String, url: String, headers: [(String, String)] = [], body: Data? = nil,
                downloadTo: String? = nil) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.downloadTo = downloadTo
    }
}

/// What came back.
public struct HTTPResponse: Sendable {
    /// The status code.
    public var status: Int
    /// Response headers (names as sent).
    public var headers: [(String, String)]
    /// The body when it was kept in memory (every non-2xx response, and 2xx without `downloadTo`).
    public var body: Data
    /// For a download: the SHA-256 of the bytes written to `downloadTo`, and their count.
    public var downloaded: (digest: String, size: Int64)?

    /// Creates a response.
    public init(status: Int, headers: [(String, String)] = [], body: Data = Data(),
                downloaded: (digest: String, size: Int64)? = nil) {
        self.status = status
        self.headers = headers
        self.body = body
        self.downloaded = downloaded
    }

    /// The first header named `name`, case-insensitively.
    public func header(_ name: String) -> String? {
        headers.first { $0.0.caseInsensitiveCompare(name) == .orderedSame }?.1
    }
}

/// Sends one request and waits for the whole response. Blocking on purpose:
/// the cache is consulted from synchronous code, and the waits happen on
/// threads of pipe's own, never on Swift's cooperative pool.
public protocol HTTPTransport: Sendable {
    /// Sends `request`; throws `RemoteError` `.unavailable` when the connection fails or times out.
    func send(_ request: HTTPRequest) throws -> HTTPResponse
}
