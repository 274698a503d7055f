import Foundation
import Testing
@testable import PipeRemote

/// The signer against AWS's published Signature Version 4 test suite
/// (docs.aws.amazon.com/general/latest/gr/signature-v4-test-suite.html) and
/// the S3 examples of the S3 API reference ("Signature Calculations for the
/// Authorization Header"). Each vector pins the whole Authorization header.
@Suite struct SigV4Tests {
    static let suiteSigner = SigV4Signer(
        credentials: AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
        region: "us-east-1", service: "service")
    static let suiteDate = Date(timeIntervalSince1970: 1_440_938_160)  // 2015-08-30T12:36:00Z

    struct Vector: Sendable, CustomTestStringConvertible {
        var name: String
        var uri: String
        var query: [(String, String)]
        var headers: [(String, String)]
        var signature: String
        var signedHeaders = "host;x-amz-date"
        var testDescription: String { name }
    }

    static let host = ("Host", "example.amazonaws.com")
    static let date = ("X-Amz-Date", "20150830T123600Z")

    static let vectors: [Vector] = [
        Vector(name: "get-vanilla", uri: "/", query: [], headers: [host, date],
               signature: "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"),
        Vector(name: "get-vanilla-empty-query-key", uri: "/", query: [("Param1", "value1")], headers: [host, date],
               signature: "a67d582fa61cc504c4bae71f336f98b97f1ea3c7a6bfe1b6e45aec72011b9aeb"),
        Vector(name: "get-vanilla-query-order-key", uri: "/", query: [("Param1", "value2"), ("Param1", "Value1")],
               headers: [host, date], signature: "eedbc4e291e521cf13422ffca22be7d2eb8146eecf653089df300a15b2382bd1"),
        Vector(name: "get-vanilla-query-order-key-case", uri: "/", query: [("Param2", "value2"), ("Param1", "value1")],
               headers: [host, date], signature: "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"),
        Vector(name: "get-vanilla-query-order-value", uri: "/", query: [("Param1", "value2"), ("Param1", "value1")],
               headers: [host, date], signature: "5772eed61e12b33fae39ee5e7012498b51d56abc0abb7c60486157bd471c4694"),
        Vector(name: "get-unreserved", uri: "/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
               query: [], headers: [host, date],
               signature: "07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f"),
        Vector(name: "get-header-key-duplicate", uri: "/", query: [],
               headers: [host, ("My-Header1", "value2"), ("My-Header1", "value2"), ("My-Header1", "value1"), date],
               signature: "c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea",
               signedHeaders: "host;my-header1;x-amz-date"),
        Vector(name: "get-header-value-order", uri: "/", query: [],
               headers: [host, ("My-Header1", "value4"), ("My-Header1", "value1"), ("My-Header1", "value3"),
                         ("My-Header1", "value2"), date],
               signature: "08c7e5a9acfcfeb3ab6b2185e75ce8b1deb5e634ec47601a50643f830c755c01",
               signedHeaders: "host;my-header1;x-amz-date"),
        Vector(name: "get-header-value-trim", uri: "/", query: [],
               headers: [host, ("My-Header1", " value1"), ("My-Header2", " \"a   b   c\""), date],
               signature: "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736",
               signedHeaders: "host;my-header1;my-header2;x-amz-date"),
    ]

    @Test(arguments: vectors)
    func awsTestSuite(_ vector: Vector) {
        let request = SigV4Signer.Request(method: "GET", canonicalURI: vector.uri, query: vector.query,
                                          headers: vector.headers, payloadHash: SigV4Signer.emptyPayloadHash)
        #expect(Self.suiteSigner.authorization(request, date: Self.suiteDate)
            == "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
            + "SignedHeaders=\(vector.signedHeaders), Signature=\(vector.signature)")
    }

    @Test func canonicalRequestAndStringToSignOfGetVanilla() {
        let request = SigV4Signer.Request(method: "GET", canonicalURI: "/", headers: [Self.host, Self.date],
                                          payloadHash: SigV4Signer.emptyPayloadHash)
        #expect(SigV4Signer.canonicalRequest(request)
            == "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n"
            + "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(Self.suiteSigner.stringToSign(request, date: Self.suiteDate)
            == "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n"
            + "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63")
    }

    static let s3Signer = SigV4Signer(
        credentials: AWSCredentials(accessKeyID: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
        region: "us-east-1", service: "s3")
    static let s3Date = Date(timeIntervalSince1970: 1_369_353_600)  // 2013-05-24T00:00:00Z

    /// The S3 API reference's "GET Object" example (a Range header, empty payload).
    @Test func s3GetObjectExample() {
        let request = SigV4Signer.Request(
            method: "GET", canonicalURI: "/test.txt",
            headers: [("Host", "examplebucket.s3.amazonaws.com"), ("Range", "bytes=0-9"),
                      ("x-amz-content-sha256", SigV4Signer.emptyPayloadHash), ("x-amz-date", "20130524T000000Z")],
            payloadHash: SigV4Signer.emptyPayloadHash)
        #expect(Self.s3Signer.signature(request, date: Self.s3Date)
            == "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
    }

    /// The S3 API reference's "PUT Object" example: a `$` in the key is encoded once, the body's hash is signed.
    @Test func s3PutObjectExample() {
        let payload = "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072"  // "Welcome to Amazon S3."
        let request = SigV4Signer.Request(
            method: "PUT", canonicalURI: "/" + SigV4Signer.uriEncode("test$file.text", keepSlash: true),
            headers: [("Host", "examplebucket.s3.amazonaws.com"), ("Date", "Fri, 24 May 2013 00:00:00 GMT"),
                      ("x-amz-date", "20130524T000000Z"), ("x-amz-storage-class", "REDUCED_REDUNDANCY"),
                      ("x-amz-content-sha256", payload)],
            payloadHash: payload)
        #expect(request.canonicalURI == "/test%24file.text")
        #expect(Self.s3Signer.signature(request, date: Self.s3Date)
            == "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd")
    }

    @Test func encodingKeepsOnlyUnreservedCharacters() {
        #expect(SigV4Signer.uriEncode("a b/c+d=é") == "a%20b%2Fc%2Bd%3D%C3%A9")
        #expect(SigV4Signer.uriEncode("p/objects/ab", keepSlash: true) == "p/objects/ab")
    }
}
