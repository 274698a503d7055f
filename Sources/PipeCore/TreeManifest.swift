/// The content of a directory artifact: every regular file by relative path,
/// with its mode and digest. The artifact's digest is the digest of this
/// manifest's canonical JSON (a Merkle tree), so a change names the files
/// that changed (DESIGN §4).
public struct TreeManifest: Sendable, Hashable {
    public struct Entry: Sendable, Hashable {
        /// Path relative to the artifact root, `/`-separated.
        public var path: String
        /// True when the file had any execute bit set.
        public var executable: Bool
        public var digest: Digest
        public var size: Int64

        public init(path: String, executable: Bool, digest: Digest, size: Int64) {
            self.path = path
            self.executable = executable
            self.digest = digest
            self.size = size
        }
    }

    /// Entries sorted by path.
    public private(set) var entries: [Entry]

    public init(entries: [Entry]) {
        self.entries = entries.sorted { $0.path.utf8.lexicographicallyPrecedes($1.path.utf8) }
    }

    /// The manifest as JSON; `digest` hashes exactly this.
    public var json: JSONValue {
        .object([
            "format": .string("pipe-tree-1"),
            "entries": .array(entries.map { entry in
                .object([
                    "path": .string(entry.path),
                    "mode": .string(entry.executable ? "755" : "644"),
                    "digest": .string(entry.digest.hex),
                    "size": .int(Int(entry.size)),
                ])
            }),
        ])
    }

    public var digest: Digest { Digest.of(json) }
    public var totalSize: Int64 { entries.reduce(0) { $0 + $1.size } }

    /// Parses the JSON written by `json`; nil when it is not a manifest.
    public init?(json: JSONValue) {
        guard json["format"]?.stringValue == "pipe-tree-1", let items = json["entries"]?.arrayValue else { return nil }
        var entries: [Entry] = []
        for item in items {
            guard let path = item["path"]?.stringValue, let mode = item["mode"]?.stringValue,
                  let hex = item["digest"]?.stringValue, let digest = Digest(hex: hex),
                  let size = item["size"]?.intValue else { return nil }
            entries.append(Entry(path: path, executable: mode == "755", digest: digest, size: Int64(size)))
        }
        self.init(entries: entries)
    }

    /// Paths whose content differs between two manifests (added, removed or changed).
    public func changedPaths(comparedTo other: TreeManifest) -> [String] {
        let mine = Dictionary(entries.map { ($0.path, $0) }, uniquingKeysWith: { a, _ in a })
        let theirs = Dictionary(other.entries.map { ($0.path, $0) }, uniquingKeysWith: { a, _ in a })
        return Set(mine.keys).union(theirs.keys).filter { mine[$0] != theirs[$0] }.sorted()
    }
}
