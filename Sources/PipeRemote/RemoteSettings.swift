import Foundation
import PipeCore

/// Where the remote cache is and how to reach it: `cache.remote` and friends
/// in the workspace's `pipe.json`, overridden by `--remote` and the environment.
///
/// ```json
/// {"cache": {"remote": "s3://team-bucket/pipe", "endpoint_url": "http://127.0.0.1:9000",
///            "region": "us-east-1", "read_only": false, "offline": false}}
/// ```
/// Credentials are never read from here: they come from the AWS chain (`AWSCredentials.resolve`).
public struct RemoteSettings: Sendable, Equatable {
    /// `s3://bucket/prefix` or `file:///path`; nil when no remote is configured.
    public var url: String?
    /// A custom S3 endpoint (`http://127.0.0.1:9000`); also `AWS_ENDPOINT_URL_S3`, `AWS_ENDPOINT_URL`.
    public var endpoint: String?
    /// The signing region; also `AWS_REGION`, `AWS_DEFAULT_REGION`; default `us-east-1`.
    public var region: String?
    /// Pull but never push.
    public var readOnly = false
    /// Run local-only, with a warning.
    public var offline = false

    /// Creates settings.
    public init(url: String? = nil, endpoint: String? = nil, region: String? = nil, readOnly: Bool = false,
                offline: Bool = false) {
        self.url = url
        self.endpoint = endpoint
        self.region = region
        self.readOnly = readOnly
        self.offline = offline
    }

    /// The settings file of a workspace.
    public static func file(workspace: String) -> String { "\(workspace)/pipe.json" }

    /// Reads `pipe.json` in `workspace` (absent: no remote) and applies the
    /// environment (`PIPE_REMOTE`, `PIPE_OFFLINE=1`, the AWS endpoint and region
    /// variables). A malformed file is an error naming it and the field.
    public static func load(workspace: String, environment: [String: String] = ProcessInfo.processInfo.environment)
        throws -> RemoteSettings {
        var settings = RemoteSettings()
        let path = file(workspace: workspace)
        if let data = FileManager.default.contents(atPath: path) {
            let json: JSONValue
            do { json = try JSONValue(parsing: data) } catch {
                throw RemoteError(.configuration, "\(path): not valid JSON (\(error)); fix or remove the file")
            }
            guard let cache = json["cache"] else { return settings.applying(environment) }
            func string(_ name: String) throws -> String? {
                guard let value = cache[name] else { return nil }
                if case .null = value { return nil }
                guard let text = value.stringValue else {
                    throw RemoteError(.configuration, "\(path): cache.\(name) must be a string")
                }
                return text
            }
            func flag(_ name: String) throws -> Bool {
                guard let value = cache[name] else { return false }
                guard case .bool(let on) = value else {
                    throw RemoteError(.configuration, "\(path): cache.\(name) must be true or false")
                }
                return on
            }
            settings.url = try string("remote")
            settings.endpoint = try string("endpoint_url")
            settings.region = try string("region")
            settings.readOnly = try flag("read_only")
            settings.offline = try flag("offline")
        }
        return settings.applying(environment)
    }

    func applying(_ environment: [String: String]) -> RemoteSettings {
        var settings = self
        func value(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }
        if let remote = value("PIPE_REMOTE") { settings.url = remote }
        if value("PIPE_OFFLINE") == "1" { settings.offline = true }
        if settings.endpoint == nil { settings.endpoint = value("AWS_ENDPOINT_URL_S3") ?? value("AWS_ENDPOINT_URL") }
        if settings.region == nil { settings.region = value("AWS_REGION") ?? value("AWS_DEFAULT_REGION") }
        return settings
    }
}

/// A parsed remote URL.
public enum RemoteLocation: Sendable, Equatable {
    /// `s3://bucket/prefix`: objects live under `prefix/` in `bucket`.
    case s3(bucket: String, prefix: String)
    /// `file:///path`: a directory on a shared filesystem.
    case directory(String)

    /// Parses `s3://bucket[/prefix]` or `file:///absolute/path`; anything else is a configuration error.
    public init(_ url: String) throws {
        if url.hasPrefix("s3://") {
            let rest = url.dropFirst(5)
            let parts = rest.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
            let bucket = String(parts.first ?? "")
            guard Self.isValidBucket(bucket) else {
                throw RemoteError(.configuration, "remote '\(url)': '\(bucket)' is not a valid S3 bucket name "
                                  + "(3-63 characters: lower-case letters, digits, '.', '-')")
            }
            let prefix = parts.count > 1 ? String(parts[1]).trimmingCharacters(in: CharacterSet(charactersIn: "/")) : ""
            guard prefix.split(separator: "/", omittingEmptySubsequences: false).allSatisfy({ $0 != ".." && $0 != "." }),
                  !prefix.contains("//"), !prefix.contains("\0") else {
                throw RemoteError(.configuration, "remote '\(url)': the prefix must be a plain path without '.', '..' or '//'")
            }
            self = .s3(bucket: bucket, prefix: prefix)
        } else if url.hasPrefix("file://") {
            let path = String(url.dropFirst(7))
            guard path.hasPrefix("/") else {
                throw RemoteError(.configuration, "remote '\(url)': a file remote needs an absolute path, file:///path")
            }
            self = .directory(path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path)
        } else {
            throw RemoteError(.configuration, "remote '\(url)': use s3://bucket/prefix or file:///path")
        }
    }

    static func isValidBucket(_ name: String) -> Bool {
        (3...63).contains(name.count) && name.utf8.allSatisfy {
            (97...122).contains($0) || (48...57).contains($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-")
        } && !name.hasPrefix("-") && !name.hasPrefix(".")
    }
}
