import Foundation
import PipeCache
import PipeCore
@testable import PipeRemote
import TestSupport

/// A local cache holding one task result with `files` as its output.
struct LocalResult {
    let cache: Cache
    let key: Digest
    let output: Digest
    let manifest: TreeManifest

    init(in directory: TemporaryDirectory, name: String = ".pipe", files: [String: String], param: Int = 1) throws {
        cache = try Cache(root: directory.file(name).path)
        let out = "out-\(UUID().uuidString.prefix(6))"
        for (path, text) in files { try directory.write("\(out)/\(path)", text) }
        manifest = try cache.objects.ingestTree(at: directory.file(out).path, move: true)
        output = manifest.digest
        let signature = TaskSignature(kind: "command", kindVersion: 1, params: .int(param), inputs: [:], fanOut: nil)
        key = signature.key
        try cache.records.write(RunRecord(key: key, signature: signature, output: output, pipeline: "p", stage: "s",
                                          task: "s[\(param)]", started: Date(), seconds: 1, metrics: .object([:]),
                                          host: "h", pipeVersion: "t", log: ""))
    }
}

/// Which backend a conformance test runs on.
enum Backend: String, CaseIterable, Sendable {
    case directory, s3

    /// A fresh, empty remote and its stats.
    func makeStore(_ directory: TemporaryDirectory, transport: any HTTPTransport = AsyncHTTPTransport()) throws
        -> (store: any RemoteStore, stats: RemoteStats, corrupt: (Digest) throws -> Void, delete: (Digest) throws -> Void) {
        let stats = RemoteStats()
        switch self {
        case .directory:
            let root = directory.file("remote").path
            try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
            let store = DirectoryStore(root: root, stats: stats)
            return (store, stats, { digest in
                let path = "\(root)/\(RemoteLayout.object(digest))"
                chmod(path, 0o644)
                try Data("tampered".utf8).write(to: URL(fileURLWithPath: path))
            }, { digest in try FileManager.default.removeItem(atPath: "\(root)/\(RemoteLayout.object(digest))") })
        case .s3:
            guard let server = S3TestServer.shared else { throw S3TestServerError(message: "no S3 test server") }
            let bucket = try server.makeBucket("t")
            let client = S3Client(bucket: bucket, endpoint: server.endpoint, region: "us-east-1",
                                  credentials: AWSCredentials(accessKeyID: server.accessKey, secretAccessKey: server.secretKey),
                                  transport: transport, stats: stats)
            let store = S3Store(client: client, prefix: "team")
            return (store, stats, { digest in
                let result = try server.boto3("s3.put_object(Bucket='\(bucket)', Key='team/\(RemoteLayout.object(digest))', Body=b'tampered')")
                guard result.status == 0 else { throw S3TestServerError(message: result.stderr) }
            }, { digest in
                let result = try server.boto3("s3.delete_object(Bucket='\(bucket)', Key='team/\(RemoteLayout.object(digest))')")
                guard result.status == 0 else { throw S3TestServerError(message: result.stderr) }
            })
        }
    }

    var isAvailable: Bool { self == .directory || S3TestServer.available }
}

/// Wraps a store to fail or count: the fault injector of the conformance tests.
final class FaultyStore: RemoteStore, @unchecked Sendable {
    let inner: any RemoteStore
    let failUpload: @Sendable (Int) -> RemoteError?
    private let lock = NSLock()
    private(set) var uploads = 0
    private(set) var missingCalls = 0

    init(_ inner: any RemoteStore, failUpload: @escaping @Sendable (Int) -> RemoteError? = { _ in nil }) {
        self.inner = inner
        self.failUpload = failUpload
    }

    var description: String { inner.description }
    func checkAccess() throws { try inner.checkAccess() }
    func checkWrite() throws { try inner.checkWrite() }
    func missing(_ digests: Set<Digest>) throws -> Set<Digest> {
        lock.withLock { missingCalls += 1 }
        return try inner.missing(digests)
    }
    func upload(_ digest: Digest, from file: String) throws {
        let number = lock.withLock { uploads += 1; return uploads }
        if let error = failUpload(number) { throw error }
        try inner.upload(digest, from: file)
    }
    func download(_ digest: Digest, to file: String, limit: Int64) throws -> (digest: String, size: Int64) {
        try inner.download(digest, to: file, limit: limit)
    }
    func record(_ key: Digest) throws -> Data? { try inner.record(key) }
    func publish(_ key: Digest, record: Data) throws { try inner.publish(key, record: record) }
    func recordKeys() throws -> Set<Digest> { try inner.recordKeys() }
    func hasRecords(_ keys: Set<Digest>) throws -> Set<Digest> { try inner.hasRecords(keys) }
    func objects() throws -> [Digest: Int64] { try inner.objects() }
}
