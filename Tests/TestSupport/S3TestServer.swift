import Foundation
import PipeCore

/// A real S3 server for the remote-cache tests: `moto_server` with
/// authentication on (`scripts/s3-test-server.sh`). `.ci/run` starts one and
/// exports `PIPE_TEST_S3_*`; elsewhere the first test that needs it starts one
/// for the test process. Each test makes its own bucket.
public struct S3TestServer: Sendable {
    public var endpoint: String
    public var accessKey: String
    public var secretKey: String

    /// The server, or nil when none runs and none can be started (tests then
    /// skip, and `.ci/run` fails on the skip).
    public static let shared: S3TestServer? = start()

    /// True when the server is up.
    public static var available: Bool { shared != nil }

    private static func start() -> S3TestServer? {
        let environment = ProcessInfo.processInfo.environment
        if let endpoint = environment["PIPE_TEST_S3_ENDPOINT"], let key = environment["PIPE_TEST_S3_KEY"],
           let secret = environment["PIPE_TEST_S3_SECRET"] {
            return S3TestServer(endpoint: endpoint, accessKey: key, secretKey: secret)
        }
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("scripts/s3-test-server.sh").path
        let port = 20_000 + Int(getpid() % 20_000)
        let logs = NSTemporaryDirectory() + "pipe-s3-\(getpid())"
        guard let output = shellOutput("/bin/sh '\(script)' \(port) '\(logs)'") else { return nil }
        var values: [String: String] = [:]
        for pair in output.split(whereSeparator: { $0 == " " || $0 == "\n" }) {
            let parts = pair.split(separator: "=", maxSplits: 1)
            if parts.count == 2 { values[String(parts[0])] = String(parts[1]) }
        }
        guard let endpoint = values["PIPE_TEST_S3_ENDPOINT"], let key = values["PIPE_TEST_S3_KEY"],
              let secret = values["PIPE_TEST_S3_SECRET"], let pid = values["PIPE_TEST_S3_PID"].flatMap(Int32.init) else {
            return nil
        }
        // The server is this test process's: stop it when the process exits.
        atexit_pids.append(pid)
        atexit { for pid in atexit_pids { kill(pid, SIGTERM) } }
        return S3TestServer(endpoint: endpoint, accessKey: key, secretKey: secret)
    }

    /// The standard output of a shell command that exited 0, else nil.
    private static func shellOutput(_ command: String) -> String? {
        guard let output = try? ChildProcess.run("/bin/sh", ["-c", command]), output.status == 0 else { return nil }
        return String(decoding: output.stdout, as: UTF8.self)
    }

    /// The environment a `pipe` or `aws` process needs to reach this server.
    public func environment(bucket: String? = nil) -> [String: String] {
        var values = ["AWS_ACCESS_KEY_ID": accessKey, "AWS_SECRET_ACCESS_KEY": secretKey,
                      "AWS_ENDPOINT_URL": endpoint, "AWS_REGION": "us-east-1", "AWS_SESSION_TOKEN": "",
                      "AWS_PROFILE": "", "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent"]
        if let bucket { values["PIPE_REMOTE"] = "s3://\(bucket)/team" }
        return values
    }

    /// Runs a boto3 snippet against the server; `s3` is a client. Returns stdout.
    public func boto3(_ code: String) throws -> ProcessResult {
        let prelude = """
        import boto3, sys, json
        s3 = boto3.client("s3", endpoint_url="\(endpoint)", region_name="us-east-1",
                          aws_access_key_id="\(accessKey)", aws_secret_access_key="\(secretKey)")

        """
        return try runProcess("python3", ["-c", prelude + code])
    }

    /// Creates a fresh bucket and returns its name.
    public func makeBucket(_ label: String) throws -> String {
        let name = "pipe-\(label)-\(UUID().uuidString.prefix(8).lowercased())"
        let result = try boto3("s3.create_bucket(Bucket='\(name)')")
        guard result.status == 0 else { throw S3TestServerError(message: "cannot create bucket \(name): \(result.stderr)") }
        return name
    }
}

public struct S3TestServerError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
    public init(message: String) { self.message = message }
}

nonisolated(unsafe) private var atexit_pids: [Int32] = []
