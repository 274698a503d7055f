import Foundation
import PipeCache
import PipeCore
@testable import PipeRemote
import TestSupport
import Testing

/// One conformance suite over both backends: a shared directory and a real
/// S3 server (moto, started for the test process or by `.ci/run`).
@Suite struct RemoteCacheTests {
    static let backends: [Backend] = Backend.allCases

    static let files = ["a.txt": "alpha", "sub/b.bin": String(repeating: "beta ", count: 5000), "empty": ""]

    func setUp(_ backend: Backend, _ directory: TemporaryDirectory)
        throws -> (local: LocalResult, remote: RemoteCache, fixture: (store: any RemoteStore, stats: RemoteStats,
                                                                      corrupt: (Digest) throws -> Void, delete: (Digest) throws -> Void)) {
        let local = try LocalResult(in: directory, files: Self.files)
        let fixture = try backend.makeStore(directory)
        let remote = RemoteCache(store: fixture.store, stats: fixture.stats, cacheRoot: local.cache.root)
        return (local, remote, fixture)
    }

    /// A second machine: an empty cache with the same remote attached.
    func secondMachine(_ directory: TemporaryDirectory, _ store: any RemoteStore) throws -> (Cache, RemoteCache) {
        let cache = try Cache(root: directory.file("machine2/.pipe").path)
        let remote = RemoteCache(store: store, stats: RemoteStats(), cacheRoot: cache.root)
        cache.remote.source = remote
        return (cache, remote)
    }

    @Test(arguments: backends)
    func aPushedResultIsAHitOnAnEmptyCacheWithTheSameBytes(_ backend: Backend) throws {
        guard backend.isAvailable else { Issue.record("the S3 test server did not start"); return }
        let directory = try TemporaryDirectory("pipe-remote")
        defer { directory.remove() }
        let (local, remote, fixture) = try setUp(backend, directory)
        try fixture.store.checkAccess()
        let pushed = try remote.push(local.cache)
        #expect(pushed.records == 1)
        #expect(pushed.objects == 4)  // three files and the manifest
        let (cache, _) = try secondMachine(directory, fixture.store)
        let before = fixture.stats.total
        guard case .hit(let record) = cache.lookup(local.key) else { Issue.record("expected a remote hit"); return }
        #expect(record.output == local.output)
        // Decided from the record and the output's manifest alone (two reads): the files stay remote until read.
        #expect(fixture.stats.total - before == 2)
        #expect(local.manifest.entries.allSatisfy { !cache.objects.contains($0.digest) })
        try cache.bringLocal(record.output)
        #expect(cache.objects.isComplete(record.output))
        for entry in local.manifest.entries {
            #expect(try cache.objects.get(entry.digest) == local.cache.objects.get(entry.digest))
        }
    }

    @Test(arguments: backends)
    func aSecondPushSendsNothingAndChecksExistenceOnce(_ backend: Backend) throws {
        guard backend.isAvailable else { Issue.record("the S3 test server did not start"); return }
        let directory = try TemporaryDirectory("pipe-remote")
        defer { directory.remove() }
        let (local, _, fixture) = try setUp(backend, directory)
        let counting = FaultyStore(fixture.store)
        let remote = RemoteCache(store: counting, stats: fixture.stats, cacheRoot: local.cache.root)
        _ = try remote.push(local.cache)
        #expect(counting.missingCalls == 1)
        let before = fixture.stats.total
        let again = try remote.push(local.cache)
        #expect(again.records == 0 && again.objects == 0 && again.alreadyThere == 1)
        #expect(fixture.stats.total == before)
    }

    @Test(arguments: backends)
    func aCorruptRemoteObjectIsRejectedWhenReadAndTheTaskRuns(_ backend: Backend) throws {
        guard backend.isAvailable else { Issue.record("the S3 test server did not start"); return }
        let directory = try TemporaryDirectory("pipe-remote")
        defer { directory.remove() }
        let (local, remote, fixture) = try setUp(backend, directory)
        _ = try remote.push(local.cache)
        let victim = try #require(local.manifest.entries.first { $0.path == "a.txt" }).digest
        try fixture.corrupt(victim)
        let (cache, remote2) = try secondMachine(directory, fixture.store)
        guard case .hit = cache.lookup(local.key) else { Issue.record("the record and manifest are intact: a hit"); return }
        #expect { try cache.bringLocal(local.output) } throws: { "\($0)".contains("will be recomputed") }
        #expect(!cache.objects.contains(victim))
        #expect(cache.records.read(local.key) == nil)
        #expect(cache.remote.takeLost() == [local.key])
        guard case .miss = cache.lookup(local.key) else { Issue.record("a corrupt object must make a miss"); return }
        #expect(remote2.warnings.contains { $0.contains(victim.short) && $0.contains("rejected") })
    }

    @Test(arguments: backends)
    func anObjectEvictedFromTheRemoteMeansRecomputeNotFail(_ backend: Backend) throws {
        guard backend.isAvailable else { Issue.record("the S3 test server did not start"); return }
        let directory = try TemporaryDirectory("pipe-remote")
        defer { directory.remove() }
        let (local, remote, fixture) = try setUp(backend, directory)
        _ = try remote.push(local.cache)
        let victim = try #require(local.manifest.entries.first { $0.path == "sub/b.bin" }).digest
        try fixture.delete(victim)
        let (cache, remote2) = try secondMachine(directory, fixture.store)
        // Decided a hit from the record; the object vanishes before anything reads it.
        guard case .hit = cache.lookup(local.key) else { Issue.record("the record is intact: a hit"); return }
        #expect { try cache.bringLocal(local.output) } throws: { "\($0)".contains("gone") }
        #expect(remote2.fatal == nil)
        #expect(cache.remote.takeLost() == [local.key])
        guard case .miss = cache.lookup(local.key) else { Issue.record("a result whose object is gone is a miss"); return }
        // Once recomputed (here: machine 1's copy), a push uploads the object again although the record is listed.
        let again = try remote2.push(local.cache)
        #expect(again.records == 1 && again.objects == 1)
        #expect(try fixture.store.missing([victim]).isEmpty)
    }

    @Test(arguments: backends)
    func aFailedUploadPublishesNoRecord(_ backend: Backend) throws {
        guard backend.isAvailable else { Issue.record("the S3 test server did not start"); return }
        let directory = try TemporaryDirectory("pipe-remote")
        defer { directory.remove() }
        let (local, _, fixture) = try setUp(backend, directory)
        let faulty = FaultyStore(fixture.store) { $0 == 2 ? RemoteError(.unavailable, "connection reset") : nil }
        let remote = RemoteCache(store: faulty, stats: fixture.stats, cacheRoot: local.cache.root)
        let report = try remote.push(local.cache)
        #expect(report.records == 0 && report.skipped.count == 1)
        #expect(try fixture.store.recordKeys().isEmpty)
        // The next push completes it: the index remembered what got through.
        let retry = RemoteCache(store: fixture.store, stats: fixture.stats, cacheRoot: local.cache.root)
        let second = try retry.push(local.cache)
        #expect(second.records == 1 && second.objects == 1)
        #expect(try fixture.store.recordKeys() == [local.key])
    }

    @Test(arguments: backends)
    func aMalformedRemoteRecordIsAMiss(_ backend: Backend) throws {
        guard backend.isAvailable else { Issue.record("the S3 test server did not start"); return }
        let directory = try TemporaryDirectory("pipe-remote")
        defer { directory.remove() }
        let (local, _, fixture) = try setUp(backend, directory)
        try fixture.store.publish(local.key, record: Data("{\"format\": \"pipe-run-1\", \"key\": 3}".utf8))
        let (cache, remote2) = try secondMachine(directory, fixture.store)
        guard case .miss = cache.lookup(local.key) else { Issue.record("expected a miss"); return }
        #expect(remote2.warnings.contains { $0.contains("malformed") })
    }

    @Test func aReadOnlyRemoteRefusesToPush() throws {
        let directory = try TemporaryDirectory("pipe-remote")
        defer { directory.remove() }
        let local = try LocalResult(in: directory, files: Self.files)
        let fixture = try Backend.directory.makeStore(directory)
        let remote = RemoteCache(store: fixture.store, stats: fixture.stats, cacheRoot: local.cache.root, readOnly: true)
        #expect { try remote.push(local.cache) } throws: { "\($0)".contains("read-only") }
        #expect(try fixture.store.objects().isEmpty)
    }

    @Test func aForbiddenLookupIsFatalNotAMiss() throws {
        let directory = try TemporaryDirectory("pipe-remote")
        defer { directory.remove() }
        let local = try LocalResult(in: directory, files: Self.files)
        let transport = FakeTransport { _, _ in HTTPResponse(status: 403, body: errorBody("AccessDenied")) }
        let client = S3Client(bucket: "b-x", endpoint: "http://127.0.0.1:9", region: "us-east-1",
                              credentials: AWSCredentials(accessKeyID: "k", secretAccessKey: "s"), transport: transport)
        let (cache, remote) = try secondMachine(directory, S3Store(client: client, prefix: "p"))
        _ = local
        guard case .miss = cache.lookup(local.key) else { Issue.record("no record locally"); return }
        #expect(remote.fatal?.code == .accessDenied)
        _ = cache.lookup(Digest.of(Data("other".utf8)))
        #expect(transport.requests.count == 1)  // no flood of 403s after the first
    }
}

@Suite(.enabled(if: toolAvailable(S3TestServer.available))) struct MultipartOnARealServerTests {
    @Test func aMultipartUploadArrivesWhole() throws {
        let server = try #require(S3TestServer.shared)
        let bucket = try server.makeBucket("mp")
        let client = S3Client(bucket: bucket, endpoint: server.endpoint, region: "us-east-1",
                              credentials: AWSCredentials(accessKeyID: server.accessKey, secretAccessKey: server.secretKey))
        let directory = try TemporaryDirectory("pipe-mp")
        defer { directory.remove() }
        let words = (0..<((11 << 20) / 8)).map { _ in UInt64.random(in: 0...UInt64.max) }
        let bytes = words.withUnsafeBytes { Data($0) }
        let file = directory.file("big").path
        try bytes.write(to: URL(fileURLWithPath: file))
        try client.upload("team/big", file: file, threshold: 6 << 20, partSize: 5 << 20)
        let got = try client.download("team/big", to: directory.file("back").path)
        #expect(got.digest == Digest.of(bytes).hex && got.size == Int64(bytes.count))
        #expect(try client.list(prefix: "team") == ["team/big": Int64(bytes.count)])
    }
}

/// Sizes in a tree manifest come from the remote: a tree that declares more bytes than the
/// disk has free is refused before anything is downloaded.
@Test func aTreeDeclaringMoreBytesThanTheDiskHoldsIsRefused() throws {
    let directory = try TemporaryDirectory("pipe-remote")
    defer { directory.remove() }
    let local = try LocalResult(in: directory, files: ["a.txt": "alpha"])
    let real = try #require(local.manifest.entries.first)
    let hostile = TreeManifest(entries: [TreeManifest.Entry(path: "a.txt", executable: false, digest: real.digest,
                                                            size: .max / 2)])
    let output = try local.cache.objects.put(hostile.json.canonicalData)
    let signature = TaskSignature(kind: "command", kindVersion: 1, params: .int(99), inputs: [:], fanOut: nil)
    try local.cache.records.write(RunRecord(key: signature.key, signature: signature, output: output, pipeline: "p",
                                            stage: "s", task: "s", started: Date(), seconds: 1, metrics: .object([:]),
                                            host: "h", pipeVersion: "t", log: ""))
    let fixture = try Backend.directory.makeStore(directory)
    _ = try RemoteCache(store: fixture.store, stats: fixture.stats, cacheRoot: local.cache.root).push(local.cache)
    let cache = try Cache(root: directory.file("machine2/.pipe").path)
    let remote = RemoteCache(store: fixture.store, stats: RemoteStats(), cacheRoot: cache.root)
    #expect { try remote.fetchTree(output, into: cache) } throws: { "\($0)".contains("declares") }
    #expect(!cache.objects.contains(real.digest))
}
