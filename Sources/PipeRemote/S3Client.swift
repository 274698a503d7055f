import Crypto
import Foundation

/// A small S3 client: signed GET/PUT/HEAD/DELETE, ListObjectsV2 and
/// multipart upload, with retries and backoff on throttling and 5xx. Every
/// response is classified into a `RemoteError` before the retry policy sees it.
public struct S3Client: Sendable {
    /// The bucket.
    public let bucket: String
    /// The custom endpoint (path-style addressing), or nil for AWS (virtual-hosted).
    public let endpoint: String?
    /// The signing region.
    public let region: String
    let credentials: AWSCredentials
    let transport: any HTTPTransport
    let stats: RemoteStats
    let retry: RetryPolicy
    /// The clock that dates signatures (tests pin it).
    let now: @Sendable () -> Date
    /// What this server turned out to verify (shared by the copies of this client).
    let dialect = Dialect()

    /// How a server canonicalizes what AWS documents one way.
    final class Dialect: @unchecked Sendable {
        private let lock = NSLock()
        private var slash = false
        var slashUnencoded: Bool {
            get { lock.withLock { slash } }
            set { lock.withLock { slash = newValue } }
        }
    }

    /// Creates a client. `endpoint` (`http://127.0.0.1:9000`) selects path-style addressing.
    public init(bucket: String, endpoint: String?, region: String, credentials: AWSCredentials,
                transport: any HTTPTransport = AsyncHTTPTransport(), stats: RemoteStats = RemoteStats(),
                retry: RetryPolicy = RetryPolicy(), now: @escaping @Sendable () -> Date = { Date() }) {
        self.bucket = bucket
        self.endpoint = endpoint.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
        self.region = region
        self.credentials = credentials
        self.transport = transport
        self.stats = stats
        self.retry = retry
        self.now = now
    }

    /// Where requests go, for messages: the endpoint, or AWS's regional one.
    public var endpointDescription: String { endpoint ?? "https://s3.\(region).amazonaws.com" }

    /// The URL and the canonical URI of `key` (empty: the bucket itself).
    func address(of key: String) -> (url: String, canonicalURI: String, host: String) {
        let encodedKey = SigV4Signer.uriEncode(key, keepSlash: true)
        if let endpoint {
            let canonical = "/\(bucket)" + (key.isEmpty ? "" : "/\(encodedKey)")
            let host = URL(string: endpoint).map { url in
                (url.host ?? "") + (url.port.map { ":\($0)" } ?? "")
            } ?? ""
            return (endpoint + canonical, canonical, host)
        }
        let host = "\(bucket).s3.\(region).amazonaws.com"
        return ("https://\(host)/\(encodedKey)", "/\(encodedKey)", host)
    }

    /// Sends one signed request with retries; returns a 2xx response or throws the classified error.
    func send(_ method: String, key: String, query: [(String, String)] = [], headers extra: [(String, String)] = [],
              body: Data? = nil, payloadHash: String? = nil, downloadTo: String? = nil, downloadLimit: Int64 = .max,
              kind: String? = nil) throws -> HTTPResponse {
        let (base, canonicalURI, host) = address(of: key)
        let queryString = query.map { "\(SigV4Signer.uriEncode($0.0))=\(SigV4Signer.uriEncode($0.1))" }.joined(separator: "&")
        let url = queryString.isEmpty ? base : "\(base)?\(queryString)"
        let hash = payloadHash ?? body.map { SHA256.hash(data: $0).hexString } ?? SigV4Signer.emptyPayloadHash
        do {
            return try send(method, key: key, query: query, headers: extra, body: body, hash: hash, url: url,
                            canonicalURI: canonicalURI, host: host, downloadTo: downloadTo, downloadLimit: downloadLimit, kind: kind,
                            slashUnencoded: dialect.slashUnencoded)
        } catch let error as RemoteError where error.code == .accessDenied && error.message.contains("SignatureDoesNotMatch")
                    && query.contains(where: { $0.1.contains("/") }) && !dialect.slashUnencoded {
            // Some S3-compatible servers (moto) verify query values with '/' left unencoded; AWS never does,
            // so a second refusal is the real answer.
            let answer = try send(method, key: key, query: query, headers: extra, body: body, hash: hash, url: url,
                                  canonicalURI: canonicalURI, host: host, downloadTo: downloadTo, downloadLimit: downloadLimit, kind: kind,
                                  slashUnencoded: true)
            dialect.slashUnencoded = true
            return answer
        }
    }

    private func send(_ method: String, key: String, query: [(String, String)], headers extra: [(String, String)],
                      body: Data?, hash: String, url: String, canonicalURI: String, host: String, downloadTo: String?,
                      downloadLimit: Int64, kind: String?, slashUnencoded: Bool) throws -> HTTPResponse {
        let signer = SigV4Signer(credentials: credentials, region: region, service: "s3")
        return try retry.run { attempt in
            try Task.checkCancellation()
            let date = now()
            var headers = extra + [("host", host), ("x-amz-date", SigV4Signer.amzDate(date)), ("x-amz-content-sha256", hash)]
            if let token = credentials.sessionToken { headers.append(("x-amz-security-token", token)) }
            var signed = SigV4Signer.Request(method: method, canonicalURI: canonicalURI, query: query, headers: headers,
                                             payloadHash: hash)
            signed.querySlashUnencoded = slashUnencoded
            headers.append(("Authorization", signer.authorization(signed, date: date)))
            if let body { headers.append(("Content-Length", "\(body.count)")) }
            let response: HTTPResponse
            do {
                var request = HTTPRequest(method: method, url: url, headers: headers, body: body, downloadTo: downloadTo)
                request.downloadLimit = downloadLimit
                response = try transport.send(request)
            } catch let error as RemoteError {
                stats.count(kind ?? method, sent: Int64(body?.count ?? 0))
                throw RemoteError(error.code, "\(endpointDescription) unreachable (\(method) s3://\(bucket)/\(key)): "
                                  + "\(error.message); check endpoint_url and that the server is running")
            }
            stats.count(kind ?? method, sent: Int64(body?.count ?? 0),
                        received: response.downloaded?.size ?? Int64(response.body.count))
            if let failure = classify(response, method: method, key: key) {
                if failure.isRetryable, let after = response.header("Retry-After").flatMap(Double.init) {
                    throw RetryPolicy.Delay(error: failure, seconds: after)
                }
                throw failure
            }
            return response
        }
    }

    /// nil for 2xx; otherwise the typed error, phrased for the user.
    func classify(_ response: HTTPResponse, method: String, key: String) -> RemoteError? {
        let status = response.status
        if (200..<300).contains(status) { return nil }
        let parsed = S3XML.error(response.body)
        let code = parsed?.code ?? ""
        let detail = parsed.map { " (\($0.code)\($0.message.isEmpty ? "" : ": \($0.message)"))" } ?? ""
        let target = "s3://\(bucket)/\(key) at \(endpointDescription)"
        switch (status, code) {
        case (_, "NoSuchBucket"):
            return RemoteError(.configuration, "bucket '\(bucket)' does not exist at \(endpointDescription); "
                               + "create it (aws s3 mb s3://\(bucket)) or fix cache.remote")
        case (404, _):
            return RemoteError(.notFound, "\(target): not found")
        case (_, "ExpiredToken"), (_, "TokenRefreshRequired"):
            return RemoteError(.accessDenied, "\(target): the session token has expired\(detail); "
                               + "refresh your AWS credentials and run again")
        case (_, "InvalidAccessKeyId"), (_, "SignatureDoesNotMatch"), (_, "InvalidToken"):
            return RemoteError(.accessDenied, "\(target): the credentials were refused\(detail); check "
                               + "AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY or the AWS_PROFILE in ~/.aws/credentials")
        case (403, _):
            return RemoteError(.accessDenied, "\(target): access denied\(detail); check that these credentials may "
                               + "read and write the bucket (S3 also answers 403 for a missing key without s3:ListBucket)")
        case (_, "BadDigest"), (_, "XAmzContentSHA256Mismatch"), (_, "InvalidDigest"):
            return RemoteError(.integrity, "\(target): the server received different bytes than were sent\(detail)")
        case (301, _), (_, "PermanentRedirect"), (_, "AuthorizationHeaderMalformed"):
            return RemoteError(.configuration, "\(target): the bucket is in another region\(detail); set cache.region "
                               + "or AWS_REGION to the bucket's region")
        case (429, _), (503, _), (_, "SlowDown"):
            return RemoteError(.throttled, "\(target): the server asks to slow down (\(status))\(detail)")
        case (500..<600, _):
            return RemoteError(.unavailable, "\(target): server error \(status)\(detail)")
        default:
            return RemoteError(.configuration, "\(method) \(target): unexpected answer \(status)\(detail)")
        }
    }

    // MARK: operations

    /// The size of `key`, or nil when it does not exist. A 403 throws.
    public func head(_ key: String) throws -> Int64? {
        do {
            let response = try send("HEAD", key: key)
            return response.header("Content-Length").flatMap(Int64.init) ?? 0
        } catch let error as RemoteError where error.code == .notFound {
            return nil
        }
    }

    /// The bytes of a small `key` (a record), or nil when it does not exist.
    public func getData(_ key: String) throws -> Data? {
        do { return try send("GET", key: key).body } catch let error as RemoteError where error.code == .notFound {
            return nil
        }
    }

    /// Streams `key` into `file` (refusing more than `limit` bytes); returns the SHA-256 (hex) and size of what was written. Throws `.notFound`.
    public func download(_ key: String, to file: String, limit: Int64 = .max) throws -> (digest: String, size: Int64) {
        let response = try send("GET", key: key, downloadTo: file, downloadLimit: limit)
        guard let downloaded = response.downloaded else {
            throw RemoteError(.integrity, "s3://\(bucket)/\(key): the download produced no file")
        }
        return downloaded
    }

    /// Uploads `body` under `key` with its SHA-256 as `x-amz-content-sha256`
    /// and `x-amz-checksum-sha256`: S3 refuses bytes that do not match.
    /// With `expected` (hex), the headers carry that hash rather than the body's, so S3 rejects bytes
    /// that changed since they were named.
    public func put(_ key: String, body: Data, contentType: String = "application/octet-stream",
                    expected: String? = nil) throws {
        let hash = expected ?? SHA256.hash(data: body).hexString
        let checksum = Data(hexDigits: hash)?.base64EncodedString() ?? ""
        _ = try send("PUT", key: key, headers: [("content-type", contentType), ("x-amz-checksum-sha256", checksum)],
                     body: body, payloadHash: hash)
    }

    /// Deletes `key` (absent is fine).
    public func delete(_ key: String) throws {
        do { _ = try send("DELETE", key: key) } catch let error as RemoteError where error.code == .notFound {}
    }

    /// Every key under `prefix` with its size (ListObjectsV2, 1000 per page).
    public func list(prefix: String) throws -> [String: Int64] {
        var result: [String: Int64] = [:]
        var token: String?
        var pages = 0
        repeat {
            var query = [("list-type", "2"), ("prefix", prefix), ("max-keys", "1000")]
            if let token { query.append(("continuation-token", token)) }
            let page = try S3XML.listPage(try send("GET", key: "", query: query, kind: "LIST").body)
            for (key, size) in page.keys where key.hasPrefix(prefix) { result[key] = size }
            token = page.isTruncated ? page.nextToken : nil
            pages += 1
            if pages > 1_000_000 { throw RemoteError(.integrity, "the server's listing of \(prefix) never ends") }
        } while token != nil
        return result
    }

    /// One page (up to 1000 keys, in key order) of the keys under `prefix`.
    func listPage(prefix: String, token: String?) throws -> S3XML.ListPage {
        var query = [("list-type", "2"), ("prefix", prefix), ("max-keys", "1000")]
        if let token { query.append(("continuation-token", token)) }
        var page = try S3XML.listPage(try send("GET", key: "", query: query, kind: "LIST").body)
        page.keys = page.keys.filter { $0.key.hasPrefix(prefix) }
        return page
    }

    /// Checks these credentials may write under `prefix` without leaving
    /// anything behind: starts a multipart upload (it needs the permission a
    /// PUT needs) and aborts it at once. Two requests.
    public func checkWrite(prefix: String) throws {
        let key = prefix.isEmpty ? "pipe-write-check" : "\(prefix)/pipe-write-check"
        let id = try S3XML.uploadID(try send("POST", key: key, query: [("uploads", "")], kind: "POST").body)
        _ = try? send("DELETE", key: key, query: [("uploadId", id)], kind: "DELETE")
    }

    /// Checks the bucket exists and these credentials can read it (one LIST of at most one key).
    public func checkAccess(prefix: String) throws {
        let query = [("list-type", "2"), ("prefix", prefix), ("max-keys", "1")]
        _ = try S3XML.listPage(try send("GET", key: "", query: query, kind: "LIST").body)
    }
}

/// Retries throttled and unavailable requests with exponential backoff and
/// full jitter, honouring `Retry-After`; everything else fails at once.
public struct RetryPolicy: Sendable {
    /// Attempts in all, the first included.
    public var attempts: Int
    /// The first delay, seconds.
    public var base: Double
    /// The longest delay, seconds.
    public var cap: Double

    /// Creates a policy.
    public init(attempts: Int = 5, base: Double = 0.2, cap: Double = 5) {
        self.attempts = attempts
        self.base = base
        self.cap = cap
    }

    /// A retryable error carrying the server's `Retry-After`.
    struct Delay: Error {
        var error: RemoteError
        var seconds: Double
    }

    /// Runs `body` until it succeeds, fails for good, or the attempts run out.
    func run<T>(_ body: (Int) throws -> T) throws -> T {
        var attempt = 0
        while true {
            do {
                return try body(attempt)
            } catch let delay as Delay {
                attempt += 1
                if attempt >= attempts { throw delay.error }
                Thread.sleep(forTimeInterval: min(cap, max(0, delay.seconds)))
            } catch let error as RemoteError where error.isRetryable {
                attempt += 1
                if attempt >= attempts { throw error }
                Thread.sleep(forTimeInterval: Double.random(in: 0.5...1) * min(cap, base * pow(2, Double(attempt - 1))))
            }
        }
    }
}

extension Data {
    /// Bytes from lower-case hex; nil when malformed.
    init?(hexDigits hex: String) {
        guard hex.utf8.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            guard let byte = UInt8(hex[index..<next], radix: 16) else { return nil }
            bytes.append(byte)
            index = next
        }
        self.init(bytes)
    }
}
