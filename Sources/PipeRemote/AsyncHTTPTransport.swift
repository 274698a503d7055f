import AsyncHTTPClient
import Crypto
import Foundation
import NIOCore
import NIOHTTP1

/// `HTTPTransport` over swift-server/async-http-client. Requests run on
/// NIO's event loops; the calling thread waits for the result.
public struct AsyncHTTPTransport: HTTPTransport {
    /// Response bodies kept in memory (errors, listings, records) are capped:
    /// a server that sends more is treated as broken, not trusted.
    static let memoryLimit = 32 << 20

    /// The process-wide client: connect within 5 s, no 60 s without a byte.
    static let client = HTTPClient(
        eventLoopGroupProvider: .singleton,
        configuration: HTTPClient.Configuration(timeout: .init(connect: .seconds(5), read: .seconds(60)),
                                                decompression: .disabled))

    /// Creates the transport.
    public init() {}

    public func send(_ request: HTTPRequest) throws -> HTTPResponse {
        var headers = HTTPHeaders()
        for (name, value) in request.headers { headers.add(name: name, value: value) }
        let outgoing: HTTPClient.Request
        do {
            outgoing = try HTTPClient.Request(url: request.url, method: HTTPMethod(rawValue: request.method),
                                              headers: headers, body: request.body.map { .bytes($0) })
        } catch {
            throw RemoteError(.configuration, "cannot build a request for \(request.url): \(error)")
        }
        let delegate = ResponseCollector(downloadTo: request.downloadTo, limit: Self.memoryLimit,
                                         downloadLimit: request.downloadLimit)
        do {
            return try Self.client.execute(request: outgoing, delegate: delegate,
                                           deadline: .now() + .seconds(600)).wait()
        } catch let error as RemoteError {
            throw error
        } catch {
            // A response the collector refused (too large, unwritable) cancels the request: report why.
            if let refused = delegate.refusal { throw refused }
            throw RemoteError(.unavailable, "\(request.method) \(request.url): \(error)")
        }
    }
}

/// Collects a response: into memory (bounded), or for a 2xx download into a
/// file while hashing it, so the bytes are verified without being read twice.
final class ResponseCollector: HTTPClientResponseDelegate, @unchecked Sendable {
    typealias Response = HTTPResponse

    let downloadTo: String?
    let limit: Int
    private var status = 0
    private var headers: [(String, String)] = []
    private var body = Data()
    private var file: FileHandle?
    private var hasher = SHA256()
    private var written: Int64 = 0
    private var failureValue: Error?
    private let lock = NSLock()
    private var failure: Error? {
        get { lock.withLock { failureValue } }
        set { lock.withLock { failureValue = newValue } }
    }

    let downloadLimit: Int64

    init(downloadTo: String?, limit: Int, downloadLimit: Int64) {
        self.downloadTo = downloadTo
        self.limit = limit
        self.downloadLimit = downloadLimit
    }

    func didReceiveHead(task: HTTPClient.Task<HTTPResponse>, _ head: HTTPResponseHead) -> EventLoopFuture<Void> {
        status = Int(head.status.code)
        headers = head.headers.map { ($0.name, $0.value) }
        if let downloadTo, (200..<300).contains(status) {
            if FileManager.default.createFile(atPath: downloadTo, contents: nil), let handle = FileHandle(forWritingAtPath: downloadTo) {
                file = handle
            } else {
                failure = RemoteError(.configuration, "cannot write the download to \(downloadTo)")
                task.cancel()
            }
        }
        return task.eventLoop.makeSucceededVoidFuture()
    }

    func didReceiveBodyPart(task: HTTPClient.Task<HTTPResponse>, _ buffer: ByteBuffer) -> EventLoopFuture<Void> {
        guard failure == nil else { return task.eventLoop.makeSucceededVoidFuture() }
        buffer.withUnsafeReadableBytes { bytes in
            if let file, written + Int64(bytes.count) > downloadLimit {
                failure = RemoteError(.integrity, "the server sent more than the \(downloadLimit) bytes expected for "
                                      + "\(downloadTo ?? "a download")")
            } else if let file {
                hasher.update(bufferPointer: bytes)
                written += Int64(bytes.count)
                do { try file.write(contentsOf: bytes) } catch {
                    failure = RemoteError(.configuration, "cannot write the download to \(downloadTo ?? "?"): \(error)")
                }
            } else if body.count + bytes.count > limit {
                failure = RemoteError(.integrity, "the server sent more than \(limit >> 20) MiB where a short answer was expected")
            } else {
                body.append(contentsOf: bytes)
            }
        }
        if failure != nil { task.cancel() }
        return task.eventLoop.makeSucceededVoidFuture()
    }

    func didFinishRequest(task: HTTPClient.Task<HTTPResponse>) throws -> HTTPResponse {
        try? file?.close()
        if let failure { throw failure }
        let downloaded = file == nil ? nil : (Data(hasher.finalize()).hexString, written)
        return HTTPResponse(status: status, headers: headers, body: body, downloaded: downloaded)
    }

    func didReceiveError(task: HTTPClient.Task<HTTPResponse>, _ error: Error) {
        try? file?.close()
    }

    /// Why the collector cancelled the request, if it did.
    var refusal: Error? { failure }
}
