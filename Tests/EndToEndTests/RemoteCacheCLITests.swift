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

        let computed = try run(["run", "tiles.yaml", "--json", "--stats"] + Self.shrink, in: first, environment)
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
        // Nothing downstream runs, so (nearly) nothing is downloaded: records, manifests and the
        // train.csv the tile stage lists its tasks from; the outputs stay remote, runs/ shows none yet.
        let pushed = try #require(Self.megabytes(computed.stderr, "up"), "\(computed.stderr)")
        let downloaded = try #require(Self.megabytes(reused.stderr, "down"), "\(reused.stderr)")
        #expect(pushed > 1 && downloaded < pushed / 50, "\(computed.stderr)\n\(reused.stderr)")
        #expect(try files(under: second.file("runs").path).isEmpty)
        // pipe pull SPEC downloads them; the next run (nothing runs) links them under runs/, byte-identical.
        let pulled = try run(["pull", "tiles.yaml"] + Self.shrink, in: second, environment)
        #expect(pulled.status == 0, "\(pulled.stderr)")
        let linked = try run(["run", "tiles.yaml", "--json"] + Self.shrink, in: second, environment)
        #expect(try statuses(linked).values.allSatisfy { $0 == "cached" }, "\(linked.stdout)")
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

    /// `remote: 12 requests (...), 1.2 MB up, 3.4 MB down` -> 1.2 for "up".
    static func megabytes(_ stderr: String, _ direction: String) -> Double? {
        guard let line = stderr.split(separator: "\n").last(where: { $0.hasPrefix("remote: ") && $0.contains(" request") }),
              let range = line.range(of: "[0-9.]+ MB \(direction)", options: .regularExpression) else { return nil }
        return Double(line[range].split(separator: " ")[0])
    }

    /// Python setting `tile_objects`: the keys of the files (not the manifests) of every tile task's output.
    static func tileObjects(_ bucket: String) -> String {
        """
        tile_objects = {}
        for item in s3.list_objects_v2(Bucket="\(bucket)", MaxKeys=1000)["Contents"]:
            if not item["Key"].startswith("team/runs/"): continue
            record = json.loads(s3.get_object(Bucket="\(bucket)", Key=item["Key"])["Body"].read())
            if record["stage"] != "tile": continue
            out = record["output"]
            manifest = json.loads(s3.get_object(Bucket="\(bucket)", Key="team/objects/%s/%s" % (out[:2], out[2:]))["Body"].read())
            for e in manifest["entries"]: tile_objects["team/objects/%s/%s" % (e["digest"][:2], e["digest"][2:])] = e["size"]

        """
    }

    /// The tile stage is decided a hit from its records on the second machine; then augment must run and
    /// reads its bytes, which the remote no longer has (`deleting`) or serves corrupt: pipe recomputes.
    @Test(arguments: [true, false])
    func tileBytesGoneOrCorruptOnTheRemoteAreRecomputedNotAFailure(deleting: Bool) throws {
        let bucket = try server.makeBucket(deleting ? "gone" : "corrupt")
        let environment = server.environment(bucket: bucket)
        let first = try workspace("c"), second = try workspace("d")
        defer { first.remove(); second.remove() }
        let computed = try run(["run", "tiles.yaml", "--json"] + Self.shrink, in: first, environment)
        #expect(computed.status == 0, "\(computed.stderr)")
        // Every tile file vanishes (an expiry rule, a cleanup), or the largest is overwritten with other
        // bytes as a broken or malicious server would serve them; records and manifests stay.
        let damage = try server.boto3(Self.tileObjects(bucket) + (deleting ? """
            for key in tile_objects: s3.delete_object(Bucket="\(bucket)", Key=key)
            print("")
            """ : """
            victim = max(tile_objects, key=tile_objects.get)
            s3.put_object(Bucket="\(bucket)", Key=victim, Body=b"not what the name says")
            print(victim.replace("team/objects/", "").replace("/", ""))
            """))
        #expect(damage.status == 0, "\(damage.stderr)")
        let victim = damage.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let changed = try run(["run", "tiles.yaml", "--json", "--set", "augment.seed=7"] + Self.shrink, in: second, environment)
        #expect(changed.status == 0, "\(changed.stderr)")
        #expect(changed.stderr.contains("could not be downloaded"), "\(changed.stderr)")
        if !deleting { #expect(changed.stderr.contains("\(victim.prefix(12))") && changed.stderr.contains("rejected"), "\(changed.stderr)") }
        let after = try statuses(changed)
        // Deleting took every tile task's files, corrupting one object only its task's.
        let tileRan = after.filter { $0.key.hasPrefix("tile") }.values.filter { $0 == "ran" }.count
        #expect(deleting ? tileRan == after.keys.filter { $0.hasPrefix("tile") }.count : tileRan == 1, "\(after)")
        #expect(after["augment"] == "ran", "\(after)")
        #expect(try files(under: second.file("runs/tiles-demo/tile").path) == files(under: first.file("runs/tiles-demo/tile").path))
        // The recomputed results were pushed with their objects: the remote is whole again.
        let restored = try server.boto3(Self.tileObjects(bucket) + """
            sizes = {i["Key"]: i["Size"] for i in s3.list_objects_v2(Bucket="\(bucket)")["Contents"]}
            print(len([k for k, size in tile_objects.items() if sizes.get(k) != size]))
            """)
        #expect(restored.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "0", "\(restored.stdout) \(restored.stderr)")
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

extension RemoteCacheCLITests {
    /// A key that may read the bucket but not write to it (an IAM policy on the real server) is stopped
    /// at the start of a run or push, before anything runs, with one line naming the endpoint and the fix.
    @Test func aKeyThatMayOnlyReadIsStoppedAtStart() throws {
        let bucket = try server.makeBucket("ro")
        let user = "reader-\(UUID().uuidString.prefix(8).lowercased())"
        let made = try server.boto3("""
            iam = boto3.client("iam", endpoint_url="\(server.endpoint)", region_name="us-east-1",
                               aws_access_key_id="\(server.accessKey)", aws_secret_access_key="\(server.secretKey)")
            iam.create_user(UserName="\(user)")
            key = iam.create_access_key(UserName="\(user)")["AccessKey"]
            iam.put_user_policy(UserName="\(user)", PolicyName="read", PolicyDocument=json.dumps({"Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": "*"}]}))
            print(key["AccessKeyId"], key["SecretAccessKey"])
            """)
        #expect(made.status == 0, "\(made.stderr)")
        let parts = made.stdout.split(separator: " ").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        try #require(parts.count == 2)
        var reader = server.environment(bucket: bucket)
        reader["AWS_ACCESS_KEY_ID"] = parts[0]
        reader["AWS_SECRET_ACCESS_KEY"] = parts[1]
        let directory = try workspace("ro")
        defer { directory.remove() }

        for command in [["run", "tiles.yaml"] + Self.shrink, ["push"]] {
            let refused = try run(command, in: directory, reader)
            let errors = refused.stderr.split(separator: "\n").filter { $0.hasPrefix("error:") }
            #expect(refused.status == 1 && errors.count == 1 && errors[0].contains(server.endpoint)
                    && errors[0].contains("may read it but not write") && errors[0].contains("read_only"), "\(refused.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: directory.file("runs").path), "nothing ran")
        // The fix it names: a read-only machine reuses what is there and pushes nothing.
        try Data(#"{"cache": {"read_only": true}}"#.utf8).write(to: directory.file("pipe.json"))
        let readOnly = try run(["run", "tiles.yaml", "--json"] + Self.shrink, in: directory, reader)
        #expect(readOnly.status == 0, "\(readOnly.stderr)")
        let writable = try server.boto3("""
            print(s3.list_objects_v2(Bucket="\(bucket)").get("KeyCount", 0))
            """)
        #expect(writable.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "0")
    }
}

extension RemoteCacheCLITests {
    /// The issue's done-when, shrunk as in `SeriesTests`: two fresh workspaces share one bucket; the
    /// second runs `pipelines/v54.yaml`, executes nothing and downloads next to nothing, and once it
    /// pulls, its `runs/` (the submission included) are the first's, byte for byte.
    @Test func v54OnASecondWorkspaceRunsNothingAndPullsTheSameSubmission() throws {
        let bucket = try server.makeBucket("v54")
        let environment = server.environment(bucket: bucket)
        let shrink = ["--set", "data.kidney.synthetic.images=3", "--set", "data.kidney.synthetic.side=1024",
                      "--set", "data.kidney.synthetic.test_images=1", "--set", "train.epochs=1",
                      "--set", "data.holdout.synthetic.images=1", "--set", "data.holdout.synthetic.side=1024",
                      "--set", "data.external.synthetic-external.tiles=3", "--set", "data.external.synthetic-external.side=512"]
        let first = try TemporaryDirectory("pipe-remote-v54a"), second = try TemporaryDirectory("pipe-remote-v54b")
        defer { first.remove(); second.remove() }
        for workspace in [first, second] {
            try FileManager.default.copyItem(at: PipeBinary.repositoryRoot.appendingPathComponent("pipelines"),
                                             to: workspace.file("pipelines"))
        }
        let computed = try run(["run", "pipelines/v54.yaml", "--json", "--stats"] + shrink, in: first, environment)
        #expect(computed.status == 0, "\(computed.stderr)")
        #expect(try statuses(computed).values.allSatisfy { $0 == "ran" })

        let reused = try run(["run", "pipelines/v54.yaml", "--json", "--stats"] + shrink, in: second, environment)
        #expect(reused.status == 0, "\(reused.stderr)")
        let tasks = try statuses(reused)
        #expect(!tasks.isEmpty && tasks.values.allSatisfy { $0 == "cached" }, "\(tasks)")
        let pushed = try #require(Self.megabytes(computed.stderr, "up"), "\(computed.stderr)")
        let downloaded = try #require(Self.megabytes(reused.stderr, "down"), "\(reused.stderr)")
        #expect(downloaded < pushed / 50, "\(computed.stderr)\n\(reused.stderr)")

        let pulled = try run(["pull", "pipelines/v54.yaml"] + shrink, in: second, environment)
        #expect(pulled.status == 0, "\(pulled.stderr)")
        let linked = try run(["run", "pipelines/v54.yaml", "--json"] + shrink, in: second, environment)
        #expect(try statuses(linked).values.allSatisfy { $0 == "cached" })
        let submission = "runs/v54/submit/submission.csv"
        #expect(try Data(contentsOf: second.file(submission)) == Data(contentsOf: first.file(submission)))
        #expect(try files(under: second.file("runs").path) == files(under: first.file("runs").path))
    }
}
