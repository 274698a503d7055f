import Foundation
import PipeCore

extension RemoteCache {
    /// Opens the remote `settings` name for the local cache at `cacheRoot`
    /// and checks at once that it is reachable, exists, and that the
    /// credentials are accepted (one request); nil when no remote is set or
    /// `offline` is on. Every failure is one line naming the remote and the fix.
    public static func open(_ settings: RemoteSettings, cacheRoot: String, stats: RemoteStats = RemoteStats(),
                            environment: [String: String] = ProcessInfo.processInfo.environment,
                            transport: any HTTPTransport = AsyncHTTPTransport()) throws -> RemoteCache? {
        guard let url = settings.url, !settings.offline else { return nil }
        let store: any RemoteStore
        switch try RemoteLocation(url) {
        case .directory(let path):
            store = DirectoryStore(root: path, stats: stats)
        case .s3(let bucket, let prefix):
            let credentials = try AWSCredentials.resolve(environment: environment)
            let region = settings.region ?? configuredRegion(environment) ?? "us-east-1"
            let client = S3Client(bucket: bucket, endpoint: settings.endpoint, region: region, credentials: credentials,
                                  transport: transport, stats: stats)
            store = S3Store(client: client, prefix: prefix)
        }
        do { try store.checkAccess() } catch let error as RemoteError {
            var message = error.message
            if error.code == .unavailable { message += "; or run with --offline to work local-only" }
            throw RemoteError(error.code, "remote cache \(store.description): \(message)")
        }
        return RemoteCache(store: store, stats: stats, cacheRoot: cacheRoot, readOnly: settings.readOnly)
    }

    /// The region of the AWS profile in `~/.aws/config` (`AWS_CONFIG_FILE`), if any.
    static func configuredRegion(_ environment: [String: String]) -> String? {
        let file = environment["AWS_CONFIG_FILE"].flatMap { $0.isEmpty ? nil : $0 }
            ?? "\(environment["HOME"] ?? NSHomeDirectory())/.aws/config"
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { return nil }
        let profile = environment["AWS_PROFILE"].flatMap { $0.isEmpty ? nil : $0 } ?? "default"
        return INIFile.parse(text)[profile]?["region"]
    }
}
