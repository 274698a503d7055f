import Foundation
@testable import PipeRemote
import TestSupport
import Testing

@Suite struct RemoteSettingsTests {
    @Test func settingsComeFromPipeJSONThenTheEnvironment() throws {
        let directory = try TemporaryDirectory("pipe-settings")
        defer { directory.remove() }
        try directory.write("pipe.json", #"{"cache": {"remote": "s3://team-bucket/pipe", "read_only": true}}"#)
        let settings = try RemoteSettings.load(workspace: directory.path,
                                               environment: ["AWS_ENDPOINT_URL": "http://127.0.0.1:9000", "AWS_REGION": "eu-west-1"])
        #expect(settings == RemoteSettings(url: "s3://team-bucket/pipe", endpoint: "http://127.0.0.1:9000",
                                           region: "eu-west-1", readOnly: true))
        let s3Specific = try RemoteSettings.load(workspace: directory.path, environment: [
            "AWS_ENDPOINT_URL_S3": "http://s3.lan", "AWS_ENDPOINT_URL": "http://other", "PIPE_REMOTE": "file:///mnt/c",
            "PIPE_OFFLINE": "1"])
        #expect(s3Specific.endpoint == "http://s3.lan" && s3Specific.url == "file:///mnt/c" && s3Specific.offline)
        #expect(try RemoteSettings.load(workspace: directory.path + "/none", environment: [:]).url == nil)
    }

    @Test(arguments: [#"{"cache": {"remote": 3}}"#, #"{"cache": {"read_only": "yes"}}"#, "{not json"])
    func aMalformedSettingsFileIsNamed(_ text: String) throws {
        let directory = try TemporaryDirectory("pipe-settings")
        defer { directory.remove() }
        try directory.write("pipe.json", text)
        #expect { try RemoteSettings.load(workspace: directory.path, environment: [:]) } throws: { error in
            (error as? RemoteError)?.code == .configuration && "\(error)".contains("pipe.json")
        }
    }

    @Test func remoteURLs() throws {
        #expect(try RemoteLocation("s3://team-bucket/a/b/") == .s3(bucket: "team-bucket", prefix: "a/b"))
        #expect(try RemoteLocation("s3://team-bucket") == .s3(bucket: "team-bucket", prefix: ""))
        #expect(try RemoteLocation("file:///mnt/cache/") == .directory("/mnt/cache"))
        for bad in ["s3://UPPER/x", "s3://ab", "s3://b-1/../x", "s3://b-1/a//b", "file://relative", "http://x", "gs://b/x"] {
            #expect(throws: RemoteError.self, "\(bad)") { try RemoteLocation(bad) }
        }
    }

    @Test func credentialsFollowTheAWSChain() throws {
        let directory = try TemporaryDirectory("pipe-creds")
        defer { directory.remove() }
        let file = try directory.write("credentials", """
            [default]
            aws_access_key_id = AKIADEFAULT
            aws_secret_access_key = s1
            # a comment
            [team]
            aws_access_key_id=AKIATEAM
            aws_secret_access_key=s2
            aws_session_token=tok
            """).path
        #expect(try AWSCredentials.resolve(environment: ["AWS_ACCESS_KEY_ID": "AKIAENV", "AWS_SECRET_ACCESS_KEY": "e",
                                                         "AWS_SHARED_CREDENTIALS_FILE": file])
            == AWSCredentials(accessKeyID: "AKIAENV", secretAccessKey: "e"))
        #expect(try AWSCredentials.resolve(environment: ["AWS_SHARED_CREDENTIALS_FILE": file])
            == AWSCredentials(accessKeyID: "AKIADEFAULT", secretAccessKey: "s1"))
        #expect(try AWSCredentials.resolve(environment: ["AWS_SHARED_CREDENTIALS_FILE": file, "AWS_PROFILE": "team"])
            == AWSCredentials(accessKeyID: "AKIATEAM", secretAccessKey: "s2", sessionToken: "tok"))
        #expect { try AWSCredentials.resolve(environment: ["AWS_SHARED_CREDENTIALS_FILE": file, "AWS_PROFILE": "nope"]) }
            throws: { "\($0)".contains("[nope]") }
        #expect { try AWSCredentials.resolve(environment: ["AWS_ACCESS_KEY_ID": "AKIAENV"]) }
            throws: { "\($0)".contains("AWS_SECRET_ACCESS_KEY") }
        #expect { try AWSCredentials.resolve(environment: ["AWS_SHARED_CREDENTIALS_FILE": directory.path + "/none"]) }
            throws: { "\($0)".contains("no AWS credentials") }
    }

    /// Four machines push the same result at once, on a shared directory and on the real S3 server.
    @Test(arguments: Backend.allCases)
    func concurrentPushesOfTheSameResultsAreHarmless(_ backend: Backend) throws {
        guard backend.isAvailable else { Issue.record("the S3 test server did not start"); return }
        let directory = try TemporaryDirectory("pipe-remote")
        defer { directory.remove() }
        let local = try LocalResult(in: directory, files: ["a.txt": "alpha", "b.txt": String(repeating: "b", count: 70_000)])
        let fixture = try backend.makeStore(directory)
        let outcomes = Locked<[Bool]>([])
        let store = fixture.store
        let cache = local.cache
        ParallelWork.forEach(4, width: 4) { _ in
            let remote = RemoteCache(store: store, stats: RemoteStats(), cacheRoot: cache.root + "-\(UUID())")
            let ok = (try? remote.push(cache)) != nil
            outcomes.withLock { $0.append(ok) }
        }
        #expect(outcomes.withLock { $0 } == [true, true, true, true])
        let objects = try fixture.store.objects()
        #expect(objects.count == 3)
        for (digest, _) in objects {
            let temp = directory.file("check-\(digest.hex)").path
            #expect(try fixture.store.download(digest, to: temp, limit: .max).digest == digest.hex)
        }
        #expect(try fixture.store.recordKeys() == [local.key])
    }
}
