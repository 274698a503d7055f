import Foundation

/// Requests and bytes a process sent to its remote, by kind: what `--stats` prints.
public final class RemoteStats: @unchecked Sendable {
    private let lock = NSLock()
    private var counts: [String: Int] = [:]
    private var sent: Int64 = 0
    private var received: Int64 = 0

    /// Creates empty counters.
    public init() {}

    /// Counts one request of `kind` (`GET`, `PUT`, `HEAD`, `LIST`, ...), including retries.
    func count(_ kind: String, sent bytesSent: Int64 = 0, received bytesReceived: Int64 = 0) {
        lock.lock()
        counts[kind, default: 0] += 1
        sent += bytesSent
        received += bytesReceived
        lock.unlock()
    }

    /// Requests by kind.
    public var byKind: [String: Int] { lock.withLock { counts } }
    /// All requests.
    public var total: Int { lock.withLock { counts.values.reduce(0, +) } }
    /// Bytes uploaded and downloaded (bodies only).
    public var bytes: (sent: Int64, received: Int64) { lock.withLock { (sent, received) } }

    /// `remote: 12 requests (GET 8, HEAD 1, LIST 1, PUT 2), 1.2 MB up, 3.4 MB down`.
    public var summary: String {
        let kinds = byKind.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        let (up, down) = bytes
        return "remote: \(total) request\(total == 1 ? "" : "s")\(kinds.isEmpty ? "" : " (\(kinds))"), "
            + "\(Self.megabytes(up)) up, \(Self.megabytes(down)) down"
    }

    /// `12.3 MB`.
    public static func megabytes(_ bytes: Int64) -> String { String(format: "%.1f MB", Double(bytes) / 1e6) }
}
