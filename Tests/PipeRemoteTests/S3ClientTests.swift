import Foundation
import PipeCore
import Testing
@testable import PipeRemote

/// A transport that answers from a closure and records every request.
final class FakeTransport: HTTPTransport, @unchecked Sendable {
    private let lock = NSLock()
    private var sent: [HTTPRequest] = []
    let answer: @Sendable (HTTPRequest, Int) throws -> HTTPResponse

    init(_ answer: @escaping @Sendable (HTTPRequest, Int) throws -> HTTPResponse) { self.answer = answer }

    var requests: [HTTPRequest] { lock.withLock { sent } }

    func send(_ request: HTTPRequest) throws -> HTTPResponse {
        let count = lock.withLock { sent.append(request); return sent.count }
        var response = try answer(request, count)
        if let file = request.downloadTo, (200..<300).contains(response.status) {
            FileManager.default.createFile(atPath: file, contents: response.body)
            response.downloaded = (Digest.of(response.body).hex, Int64(response.body.count))
            response.body = Data()
        }
        return response
    }
}


func errorBody(_ code: String, _ message: String = "") -> Data {
    Data("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>\(code)</Code><Message>\(message)</Message></Error>".utf8)
}

@Suite struct S3ClientTests {
    static let credentials = AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "secret")

    func client(_ transport: FakeTransport, attempts: Int = 3) -> S3Client {
        S3Client(bucket: "team-bucket", endpoint: "http://127.0.0.1:9", region: "us-east-1", credentials: Self.credentials,
                 transport: transport, retry: RetryPolicy(attempts: attempts, base: 0.001, cap: 0.01))
    }

    @Test func requestsArePathStyleAndSignedWithTheBodyHash() throws {
        let transport = FakeTransport { _, _ in HTTPResponse(status: 200) }
        try client(transport).put("p/objects/ab/cd", body: Data("hello".utf8))
        let request = try #require(transport.requests.first)
        #expect(request.url == "http://127.0.0.1:9/team-bucket/p/objects/ab/cd")
        let headers = Dictionary(request.headers.map { ($0.0.lowercased(), $0.1) }, uniquingKeysWith: { a, _ in a })
        #expect(headers["host"] == "127.0.0.1:9")
        #expect(headers["x-amz-content-sha256"] == Digest.of(Data("hello".utf8)).hex)
        #expect(headers["x-amz-checksum-sha256"] == "LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ=")
        #expect(headers["authorization"]?.hasPrefix("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/") == true)
        #expect(headers["authorization"]?.contains("SignedHeaders=content-type;host;x-amz-checksum-sha256;"
                                                   + "x-amz-content-sha256;x-amz-date") == true)
    }

    @Test func aForbiddenAnswerIsAnErrorNeverAMiss() {
        let transport = FakeTransport { _, _ in HTTPResponse(status: 403, body: errorBody("InvalidAccessKeyId", "no such key")) }
        #expect { try client(transport).head("runs/x.json") } throws: { error in
            guard let error = error as? RemoteError else { return false }
            return error.code == .accessDenied && error.message.contains("AWS_ACCESS_KEY_ID")
                && error.message.contains("http://127.0.0.1:9")
        }
        #expect(transport.requests.count == 1)  // not retried
    }

    @Test func notFoundIsAMissAndAMissingBucketIsAConfigurationError() throws {
        let missing = FakeTransport { _, _ in HTTPResponse(status: 404, body: errorBody("NoSuchKey")) }
        #expect(try client(missing).head("k") == nil)
        #expect(try client(missing).getData("k") == nil)
        let noBucket = FakeTransport { _, _ in HTTPResponse(status: 404, body: errorBody("NoSuchBucket")) }
        #expect { try client(noBucket).getData("k") } throws: { error in
            (error as? RemoteError)?.code == .configuration && "\(error)".contains("aws s3 mb s3://team-bucket")
        }
    }

    @Test func anExpiredTokenSaysSo() {
        let transport = FakeTransport { _, _ in HTTPResponse(status: 400, body: errorBody("ExpiredToken")) }
        #expect { try client(transport).getData("k") } throws: { error in
            (error as? RemoteError)?.code == .accessDenied && "\(error)".contains("expired")
        }
    }

    @Test func serverErrorsAreRetriedWithBackoffThenSucceed() throws {
        let transport = FakeTransport { _, count in
            count < 3 ? HTTPResponse(status: count == 1 ? 503 : 500, body: errorBody("SlowDown")) : HTTPResponse(status: 200, body: Data("ok".utf8))
        }
        #expect(try client(transport).getData("k") == Data("ok".utf8))
        #expect(transport.requests.count == 3)
    }

    @Test func retriesStopAfterTheAttemptBudget() {
        let transport = FakeTransport { _, _ in HTTPResponse(status: 500) }
        #expect { try client(transport, attempts: 4).getData("k") } throws: { ($0 as? RemoteError)?.code == .unavailable }
        #expect(transport.requests.count == 4)
    }

    @Test func anUnreachableEndpointIsNamed() {
        let transport = FakeTransport { _, _ in throw RemoteError(.unavailable, "connection refused") }
        #expect { try client(transport).checkAccess(prefix: "p/") } throws: { error in
            (error as? RemoteError)?.code == .unavailable && "\(error)".contains("http://127.0.0.1:9 unreachable")
        }
        #expect(transport.requests.count == 3)
    }

    @Test func aBodyTheServerChangedIsAnIntegrityError() {
        let transport = FakeTransport { _, _ in HTTPResponse(status: 400, body: errorBody("XAmzContentSHA256Mismatch")) }
        #expect { try client(transport).put("k", body: Data("x".utf8)) } throws: { ($0 as? RemoteError)?.code == .integrity }
    }

    @Test func listingFollowsContinuationTokens() throws {
        let transport = FakeTransport { request, count in
            let page = count == 1
                ? "<ListBucketResult><IsTruncated>true</IsTruncated><NextContinuationToken>t 2</NextContinuationToken>"
                  + "<Contents><Key>p/objects/aa/1</Key><Size>3</Size></Contents></ListBucketResult>"
                : "<ListBucketResult><IsTruncated>false</IsTruncated>"
                  + "<Contents><Key>p/objects/bb/2</Key><Size>5</Size></Contents></ListBucketResult>"
            return HTTPResponse(status: 200, body: Data(page.utf8))
        }
        #expect(try client(transport).list(prefix: "p/objects/") == ["p/objects/aa/1": 3, "p/objects/bb/2": 5])
        #expect(transport.requests[1].url.contains("continuation-token=t%202"))
    }

    @Test(arguments: [
        "<ListBucketResult><Contents><Key>k</Key><Size>-1</Size></Contents></ListBucketResult>",
        "<ListBucketResult><Contents><Size>1</Size></Contents></ListBucketResult>",
        "<ListBucketResult><IsTruncated>true</IsTruncated></ListBucketResult>",
        "<Other/>", "not xml at all", "<ListBucketResult><Contents>",
    ])
    func hostileListingsAreRefused(_ body: String) {
        let transport = FakeTransport { _, _ in HTTPResponse(status: 200, body: Data(body.utf8)) }
        #expect { try client(transport).list(prefix: "") } throws: { ($0 as? RemoteError)?.code == .integrity }
    }

    @Test func multipartUploadSendsPartsThenCompletes() throws {
        let directory = NSTemporaryDirectory() + "pipe-mp-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let file = "\(directory)/big"
        try Data((0..<2500).map { UInt8($0 % 251) }).write(to: URL(fileURLWithPath: file))
        let transport = FakeTransport { request, _ in
            if request.method == "POST", request.url.hasSuffix("uploads=") {
                return HTTPResponse(status: 200, body: Data("<InitiateMultipartUploadResult><UploadId>U1</UploadId></InitiateMultipartUploadResult>".utf8))
            }
            return HTTPResponse(status: 200, headers: [("ETag", "\"e\"")])
        }
        try client(transport).upload("k", file: file, threshold: 1000, partSize: 1000, width: 2)
        let methods = transport.requests.map(\.method)
        #expect(methods.filter { $0 == "PUT" }.count == 3)
        #expect(methods.last == "POST")
        let complete = String(decoding: transport.requests.last!.body ?? Data(), as: UTF8.self)
        #expect(complete.contains("<PartNumber>3</PartNumber>"))
    }

    @Test func aFailedPartAbortsTheUpload() throws {
        let directory = NSTemporaryDirectory() + "pipe-mp-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let file = "\(directory)/big"
        try Data(count: 2500).write(to: URL(fileURLWithPath: file))
        let transport = FakeTransport { request, _ in
            if request.method == "POST" {
                return HTTPResponse(status: 200, body: Data("<InitiateMultipartUploadResult><UploadId>U1</UploadId></InitiateMultipartUploadResult>".utf8))
            }
            if request.method == "PUT", request.url.contains("partNumber=2") { return HTTPResponse(status: 403, body: errorBody("AccessDenied")) }
            return HTTPResponse(status: 200, headers: [("ETag", "\"e\"")])
        }
        #expect(throws: RemoteError.self) { try client(transport).upload("k", file: file, threshold: 1000, partSize: 1000) }
        #expect(transport.requests.last?.method == "DELETE")
        #expect(!transport.requests.contains { $0.method == "POST" && $0.url.hasSuffix("uploadId=U1") })
    }
}

@Suite struct ExistenceCheckTests {
    func store(_ transport: FakeTransport) -> S3Store {
        S3Store(client: S3Client(bucket: "team-bucket", endpoint: "http://127.0.0.1:9", region: "us-east-1",
                                 credentials: S3ClientTests.credentials, transport: transport), prefix: "p")
    }

    static let digests = (0..<40).map { Digest.of(Data("object \($0)".utf8)) }

    @Test func manyDigestsOnASmallRemoteCostOneListing() throws {
        let held = Self.digests.prefix(25)
        let listing = "<ListBucketResult><IsTruncated>false</IsTruncated>"
            + held.sorted().map { "<Contents><Key>p/objects/\($0.hex.prefix(2))/\($0.hex.dropFirst(2))</Key><Size>1</Size></Contents>" }.joined()
            + "</ListBucketResult>"
        let transport = FakeTransport { _, _ in HTTPResponse(status: 200, body: Data(listing.utf8)) }
        let missing = try store(transport).missing(Set(Self.digests))
        #expect(missing == Set(Self.digests.dropFirst(25)))
        #expect(transport.requests.count == 1)
    }

    @Test func fewDigestsCostOneHeadEach() throws {
        let transport = FakeTransport { request, _ in
            request.url.contains(Self.digests[0].hex.dropFirst(2)) ? HTTPResponse(status: 200) : HTTPResponse(status: 404)
        }
        let missing = try store(transport).missing(Set(Self.digests.prefix(3)))
        #expect(missing == Set(Self.digests[1...2]))
        #expect(transport.requests.count == 3 && transport.requests.allSatisfy { $0.method == "HEAD" })
    }

    @Test func aHugeRemoteIsNotListedWholeForAFewDigests() throws {
        // The first page reaches only 1/4096 of the key space: listing on would cost ~4 million
        // requests, so the 20 digests past it are checked by HEAD instead.
        let page = "<ListBucketResult><IsTruncated>true</IsTruncated><NextContinuationToken>t</NextContinuationToken>"
            + (0..<1000).map { "<Contents><Key>p/objects/00/0\(String(format: "%060x", $0))0</Key><Size>1</Size></Contents>" }.joined()
            + "</ListBucketResult>"
        let transport = FakeTransport { request, _ in
            request.method == "HEAD" ? HTTPResponse(status: 404) : HTTPResponse(status: 200, body: Data(page.utf8))
        }
        let wanted = Set(Self.digests.prefix(20))
        #expect(try store(transport).missing(wanted) == wanted)
        #expect(transport.requests.filter { $0.method == "GET" }.count == 1)
        #expect(transport.requests.filter { $0.method == "HEAD" }.count == 20)
    }
}
