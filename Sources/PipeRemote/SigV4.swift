import Crypto
import Foundation

/// AWS Signature Version 4 (header signing), as pure functions over a request
/// and an injected date, so tests pin signatures against AWS's published vectors.
///
/// The caller supplies the canonical URI (already percent-encoded the way the
/// service expects: S3 encodes each path segment once) and the payload's SHA-256
/// in hex; for S3 the same hash travels as `x-amz-content-sha256`, so S3 itself
/// rejects a body that does not match it.
public struct SigV4Signer: Sendable {
    /// The key pair (and session token) that signs.
    public var credentials: AWSCredentials
    /// The region in the credential scope (`us-east-1`).
    public var region: String
    /// The service in the credential scope (`s3`).
    public var service: String

    /// Creates a signer for one region and service.
    public init(credentials: AWSCredentials, region: String, service: String) {
        self.credentials = credentials
        self.region = region
        self.service = service
    }

    /// A request as the signer sees it.
    public struct Request: Sendable {
        /// `GET`, `PUT`, ...
        public var method: String
        /// The percent-encoded path, starting with `/`.
        public var canonicalURI: String
        /// Query parameters, not encoded (the signer encodes and sorts them).
        public var query: [(String, String)]
        /// Headers to sign (names in any case; repeated names are joined with commas).
        public var headers: [(String, String)]
        /// Lower-case hex SHA-256 of the body.
        public var payloadHash: String
        /// Leave `/` unencoded in query values: what some S3-compatible servers (moto) verify
        /// against, unlike AWS. Off by default; `S3Client` turns it on only after such a server
        /// refused the standard form.
        public var querySlashUnencoded = false

        /// Creates a request description.
        public init(method: String, canonicalURI: String, query: [(String, String)] = [], headers: [(String, String)],
                    payloadHash: String) {
            self.method = method
            self.canonicalURI = canonicalURI
            self.query = query
            self.headers = headers
            self.payloadHash = payloadHash
        }
    }

    /// `20150830T123600Z`.
    public static func amzDate(_ date: Date) -> String { format(date, "yyyyMMdd'T'HHmmss'Z'") }
    /// `20150830`.
    public static func dateStamp(_ date: Date) -> String { format(date, "yyyyMMdd") }

    private static func format(_ date: Date, _ pattern: String) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = pattern
        return formatter.string(from: date)
    }

    /// The SHA-256 of the empty body.
    public static let emptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    /// A-Z, a-z, 0-9, `-`, `.`, `_`, `~`.
    static let unreserved: Set<UInt8> = Set(Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~".utf8))

    /// Percent-encodes everything but the unreserved characters (RFC 3986), as SigV4 requires;
    /// with `keepSlash` a path keeps its `/` separators.
    public static func uriEncode(_ text: String, keepSlash: Bool = false) -> String {
        var out = ""
        let digits = Array("0123456789ABCDEF".unicodeScalars)
        for byte in text.utf8 {
            if unreserved.contains(byte) || (keepSlash && byte == 0x2F) {
                out.unicodeScalars.append(UnicodeScalar(byte))
            } else {
                out.unicodeScalars.append("%")
                out.unicodeScalars.append(digits[Int(byte >> 4)])
                out.unicodeScalars.append(digits[Int(byte & 0x0F)])
            }
        }
        return out
    }

    /// Task 1: the canonical request.
    public static func canonicalRequest(_ request: Request) -> String {
        let slash = request.querySlashUnencoded
        let encoded: [(name: String, value: String)] = request.query.map { pair in
            (uriEncode(pair.0), uriEncode(pair.1, keepSlash: slash))
        }
        let sorted = encoded.sorted { a, b in a.name == b.name ? a.value < b.value : a.name < b.name }
        let query = sorted.map { pair in pair.name + "=" + pair.value }.joined(separator: "&")
        let (canonicalHeaders, signed) = canonicalHeaders(request.headers)
        return [request.method, request.canonicalURI, query, canonicalHeaders, signed, request.payloadHash]
            .joined(separator: "\n")
    }

    /// The canonical header block (each line ending in a newline) and the signed-headers list.
    static func canonicalHeaders(_ headers: [(String, String)]) -> (String, String) {
        var merged: [String: [String]] = [:]
        for (name, value) in headers {
            let trimmed = value.trimmingCharacters(in: .whitespaces)
                .split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
            merged[name.lowercased(), default: []].append(trimmed)
        }
        let names = merged.keys.sorted()
        let block = names.map { "\($0):\(merged[$0]!.joined(separator: ","))\n" }.joined()
        return (block, names.joined(separator: ";"))
    }

    /// `20150830/us-east-1/service/aws4_request`.
    public func scope(_ date: Date) -> String { "\(Self.dateStamp(date))/\(region)/\(service)/aws4_request" }

    /// Task 2: the string to sign.
    public func stringToSign(_ request: Request, date: Date) -> String {
        let hash = SHA256.hash(data: Data(Self.canonicalRequest(request).utf8)).hexString
        return ["AWS4-HMAC-SHA256", Self.amzDate(date), scope(date), hash].joined(separator: "\n")
    }

    /// Task 3: the signature, hex.
    public func signature(_ request: Request, date: Date) -> String {
        var key = SymmetricKey(data: Data("AWS4\(credentials.secretAccessKey)".utf8))
        for part in [Self.dateStamp(date), region, service, "aws4_request"] {
            key = SymmetricKey(data: Data(HMAC<SHA256>.authenticationCode(for: Data(part.utf8), using: key)))
        }
        return Data(HMAC<SHA256>.authenticationCode(for: Data(stringToSign(request, date: date).utf8), using: key)).hexString
    }

    /// Task 4: the `Authorization` header value.
    public func authorization(_ request: Request, date: Date) -> String {
        let (_, signed) = Self.canonicalHeaders(request.headers)
        return "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyID)/\(scope(date)), SignedHeaders=\(signed), "
            + "Signature=\(signature(request, date: date))"
    }
}

extension Sequence where Element == UInt8 {
    /// Lower-case hex.
    var hexString: String { map { String(format: "%02x", $0) }.joined() }
}
