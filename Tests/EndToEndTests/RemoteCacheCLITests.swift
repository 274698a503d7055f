import Foundation
import PipeCore
import TestSupport
import Testing

/// Two workspaces (two clones) sharing one bucket on a real S3 server
/// (moto_server with authentication, `scripts/s3-test-server.sh`). Outside CI
/// they skip when that server cannot be started; in CI (`PIPE_CI=1`) they fail.
@Suite(.enabled(if: toolAvailable(S3TestServer.available)), .serialized)
struct RemoteCacheCLITests {
    /// The tiles example, shrunk: tile per image plus an external set, then augment.
    static let shrink = ["--set", "data.train.synthetic.images=2", "--set", "data.train.synthetic.side=1024",
                         "--set", "data.external.synthetic-external.tiles=3", "--set", "params.size=128"]

    let server: S3TestServer

    init() throws { server = try #require(S3TestServer.shared, "the S3 test server did not start") }

    func workspace(_ label: String) throws -> TemporaryDirectory {
        let directory = try TemporaryDirectory("pipe-remote-\(label)")
        try FileManager.default.copyItem(at: PipeBinary.repositoryRoot.appendingPathComponent("examples/tiles/tiles.yaml"),
                                         to: directory.file("tiles.yaml"))
        return directory
    }

    func run(_ arguments: [String], in directory: TemporaryDirectory, _ environment: [String: String]) throws -> ProcessResult {
        try PipeBinary.run(arguments, in: directory.path, environment: environment)
    }

    func statuses(_ result: ProcessResult) throws -> [String: String] {
        var statuses: [String: String] = [:]
        for task in try JSONValue(parsing: result.stdout)["tasks"]?.arrayValue ?? [] {
            if let name = task["task"]?.stringValue, let status = task["status"]?.stringValue { statuses[name] = status }
        }
        return statuses
    }

    /// Every regular file under `root`, relative path -> bytes.
    func files(under root: String) throws -> [String: Data] {
        var result: [String: Data] = [:]
        let enumerator = FileManager.default.enumerator(atPath: root)
        while let relative = enumerator?.nextObject() as? String {
            var isDirectory: ObjCBool = false
            let path = "\(root)/\(relative)"
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue,
               !relative.hasSuffix(".pipe-outputs.json") {
                result[relative] = try Data(contentsOf: URL(fileURLWithPath: path))
            }
        }
        return result
    }

    @Test func aSecondWorkspaceRunsNothingAndGetsTheSameBytes() throws {
        let bucket = try server.makeBucket("two")
        let environment = server.environment(bucket: bucket)
        let first = try workspace("a"), second = try workspace("b")
        defer { first.remove(); second.remove() }

        let computed = try run(["run", "tiles.yaml", "--json"] + Self.shrink, in: first, environment)
        #expect(computed.status == 0, "\(computed.stderr)")
        let ran = try statuses(computed)
        #expect(!ran.isEmpty && ran.values.allSatisfy { $0 == "ran" }, "\(ran)")

        // The layout the README documents, checked with boto3: objects/ab/<62 hex>, runs/<64 hex>.json,
        // one record per computed task, every object a record names present and of the size it says.
        let layout = try server.boto3("""
            import re
            keys = {}
            for page in s3.get_paginator("list_objects_v2").paginate(Bucket="\(bucket)"):
                for item in page.get("Contents", []): keys[item["Key"]] = item["Size"]
            bad = [k for k in keys if not re.fullmatch(r"team/(objects/[0-9a-f]{2}/[0-9a-f]{62}|runs/[0-9a-f]{64}\\.json)", k)]
            records = [k for k in keys if k.startswith("team/runs/")]
            dangling = 0
            for k in records:
                record = json.loads(s3.get_object(Bucket="\(bucket)", Key=k)["Body"].read())
                out = record["output"]
                manifest_key = "team/objects/%s/%s" % (out[:2], out[2:])
                if manifest_key not in keys: dangling += 1; continue
                manifest = json.loads(s3.get_object(Bucket="\(bucket)", Key=manifest_key)["Body"].read())
                for e in manifest["entries"]:
                    k2 = "team/objects/%s/%s" % (e["digest"][:2], e["digest"][2:])
                    if keys.get(k2) != e["size"]: dangling += 1
            print(json.dumps({"bad": bad, "records": len(records), "dangling": dangling}))
            """)
        #expect(layout.status == 0, "\(layout.stderr)")
        let summary = try JSONValue(parsing: Data(layout.stdout.utf8))
        #expect(summary["bad"]?.arrayValue?.isEmpty == true, "\(layout.stdout)")
        #expect(summary["records"]?.intValue == ran.count)
        #expect(summary["dangling"]?.intValue == 0)

        let reused = try run(["run", "tiles.yaml", "--json", "--stats"] + Self.shrink, in: second, environment)
        #expect(reused.status == 0, "\(reused.stderr)")
        let second_ = try statuses(reused)
        #expect(second_.count == ran.count && second_.values.allSatisfy { $0 == "cached" }, "\(second_)")
        #expect(reused.stderr.contains("remote: "), "--stats prints the request count")
        #expect(try files(under: second.file("runs").path) == files(under: first.file("runs").path))
        #expect(try !files(under: second.file("runs").path).isEmpty)

        // A no-op run afterwards asks the remote nothing.
        let noop = try run(["run", "tiles.yaml", "--stats"] + Self.shrink, in: second, environment)
        #expect(noop.stderr.contains("remote: 1 request"), "\(noop.stderr)")  // the access check only

        // One param changed on the second machine: only what it affects runs.
        let changed = try run(["run", "tiles.yaml", "--json", "--set", "augment.seed=7"] + Self.shrink, in: second, environment)
        let after = try statuses(changed)
        #expect(Set(after.filter { $0.value == "ran" }.keys) == ["augment"], "\(after)")
    }

    @Test func aCorruptRemoteObjectIsRejectedAndRecomputed() throws {
        let bucket = try server.makeBucket("corrupt")
        let environment = server.environment(bucket: bucket)
        let first = try workspace("c"), second = try workspace("d")
        defer { first.remove(); second.remove() }
        let computed = try run(["run", "tiles.yaml", "--json"] + Self.shrink, in: first, environment)
        #expect(computed.status == 0, "\(computed.stderr)")
        // Overwrite the largest object with other bytes, as a broken or malicious server would serve them.
        let tamper = try server.boto3("""
            # (moto refuses a signed Prefix holding '/', so list everything and filter)
            items = [i for i in s3.list_objects_v2(Bucket="\(bucket)")["Contents"] if i["Key"].startswith("team/objects/")]
            victim = max(items, key=lambda i: i["Size"])["Key"]
            s3.put_object(Bucket="\(bucket)", Key=victim, Body=b"not what the name says")
            print(victim.replace("team/objects/", "").replace("/", ""))
            """)
        #expect(tamper.status == 0, "\(tamper.stderr)")
        let victim = tamper.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let rerun = try run(["run", "tiles.yaml", "--json"] + Self.shrink, in: second, environment)
        #expect(rerun.status == 0, "\(rerun.stderr)")
        #expect(rerun.stderr.contains("\(victim.prefix(12))") && rerun.stderr.contains("rejected"), "\(rerun.stderr)")
        #expect(try statuses(rerun).values.contains("ran"))
        #expect(try files(under: second.file("runs").path) == files(under: first.file("runs").path))
    }

    @Test func aKilledPushLeavesNoDanglingRecord() throws {
        let bucket = try server.makeBucket("kill")
        let first = try workspace("e")
        defer { first.remove() }
        let computed = try run(["run", "tiles.yaml", "--offline"] + Self.shrink, in: first, server.environment(bucket: bucket))
        #expect(computed.status == 0, "\(computed.stderr)")
        #expect(computed.stderr.contains("warning: offline"))
        var environment = ProcessInfo.processInfo.environment.merging(server.environment(bucket: bucket)) { _, new in new }
        environment["PIPE_CACHE"] = nil
        for delay in [0.3, 0.6, 1.0] {
            let push = try PipeBinary.start(["push"], in: first.path, environment: environment)
            Thread.sleep(forTimeInterval: delay)
            kill(push.processIdentifier, SIGKILL)
            push.waitUntilExit()
            let check = try server.boto3("""
                keys = set()
                for page in s3.get_paginator("list_objects_v2").paginate(Bucket="\(bucket)"):
                    keys.update(i["Key"] for i in page.get("Contents", []))
                dangling = 0
                for k in [k for k in keys if k.startswith("team/runs/")]:
                    out = json.loads(s3.get_object(Bucket="\(bucket)", Key=k)["Body"].read())["output"]
                    mk = "team/objects/%s/%s" % (out[:2], out[2:])
                    if mk not in keys: dangling += 1; continue
                    for e in json.loads(s3.get_object(Bucket="\(bucket)", Key=mk)["Body"].read())["entries"]:
                        if "team/objects/%s/%s" % (e["digest"][:2], e["digest"][2:]) not in keys: dangling += 1
                print(dangling)
                """)
            #expect(check.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "0", "after \(delay) s: \(check.stdout) \(check.stderr)")
        }
        let finish = try run(["push"], in: first, server.environment(bucket: bucket))
        #expect(finish.status == 0, "\(finish.stderr)")
    }

    @Test func wrongCredentialsAMissingBucketAndNoServerAreOneLineErrors() throws {
        let bucket = try server.makeBucket("auth")
        let directory = try workspace("f")
        defer { directory.remove() }
        var wrong = server.environment(bucket: bucket)
        wrong["AWS_SECRET_ACCESS_KEY"] = "not-the-secret"
        let refused = try run(["run", "tiles.yaml"] + Self.shrink, in: directory, wrong)
        #expect(refused.status == 1)
        let line = refused.stderr.split(separator: "\n").filter { $0.hasPrefix("error:") }
        #expect(line.count == 1 && line[0].contains(server.endpoint) && line[0].contains("credentials were refused"),
                "\(refused.stderr)")
        #expect(!FileManager.default.fileExists(atPath: directory.file("runs").path), "nothing ran")

        let noBucket = try run(["run", "tiles.yaml", "--remote", "s3://no-such-bucket-\(UUID().uuidString.prefix(6).lowercased())/x"]
                               + Self.shrink, in: directory, server.environment())
        #expect(noBucket.status == 1 && noBucket.stderr.contains("does not exist") && noBucket.stderr.contains("aws s3 mb"),
                "\(noBucket.stderr)")

        var down = server.environment(bucket: bucket)
        down["AWS_ENDPOINT_URL"] = "http://127.0.0.1:9"
        let unreachable = try run(["run", "tiles.yaml"] + Self.shrink, in: directory, down)
        #expect(unreachable.status == 1 && unreachable.stderr.contains("http://127.0.0.1:9")
                && unreachable.stderr.contains("--offline"), "\(unreachable.stderr)")
    }
}

extension RemoteCacheCLITests {
    @Test func pullStatusAndAReadOnlyMachine() throws {
        let bucket = try server.makeBucket("pull")
        let environment = server.environment(bucket: bucket)
        let first = try workspace("g"), second = try workspace("h")
        defer { first.remove(); second.remove() }
        let computed = try run(["run", "tiles.yaml", "--json"] + Self.shrink, in: first, environment)
        let tasks = try statuses(computed).count
        #expect(computed.status == 0 && tasks > 0, "\(computed.stderr)")

        // pull SPEC fetches what the spec reuses; a later offline run needs nothing more.
        let pulled = try run(["pull", "tiles.yaml"] + Self.shrink, in: second, environment)
        #expect(pulled.status == 0 && pulled.stdout.contains("pulled \(tasks) results"), "\(pulled.stdout) \(pulled.stderr)")
        let offline = try run(["run", "tiles.yaml", "--json", "--offline"] + Self.shrink, in: second, environment)
        #expect(try statuses(offline).values.allSatisfy { $0 == "cached" }, "\(offline.stdout)")

        let status = try run(["cache", "status", "--remote", "--json"], in: second, environment)
        #expect(status.status == 0, "\(status.stderr)")
        let counts = try JSONValue(parsing: Data(status.stdout.utf8))
        #expect(counts["records"]?["both"]?.intValue == tasks && counts["records"]?["remote_only"]?.intValue == 0)

        // A machine allowed to pull but not push: its new result stays local, and push says why.
        try Data(#"{"cache": {"read_only": true}}"#.utf8).write(to: second.file("pipe.json"))
        let changed = try run(["run", "tiles.yaml", "--json", "--set", "augment.seed=9"] + Self.shrink, in: second, environment)
        #expect(changed.status == 0, "\(changed.stderr)")
        let records = try server.boto3("""
            keys = [i["Key"] for i in s3.list_objects_v2(Bucket="\(bucket)")["Contents"]]
            print(len([k for k in keys if k.startswith("team/runs/")]))
            """)
        #expect(records.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "\(tasks)")
        let push = try run(["push"], in: second, environment)
        #expect(push.status == 1 && push.stderr.contains("read-only"), "\(push.stderr)")
    }
}
