/// Everything that determines a task's result, hashed into its key (DESIGN §4):
/// the kind and its algorithm version, the resolved params the stage reads,
/// the digest of every input artifact, and the fan-out index. The previous
/// signature of the same task is kept in its run record so a miss can be
/// explained field by field.
public struct TaskSignature: Sendable, Hashable {
    /// The version of the key format itself (how a signature becomes bytes).
    /// 2: canonical JSON keeps every value's type (`NaN` and `"NaN"` differ).
    /// Keys of format 1 are not reused: records keep their own format so they
    /// still verify, but no format-2 key can equal one, so a value whose bytes
    /// changed meaning can never hit a result computed for another value.
    public static let keyFormat = 2

    /// The key format this signature was made with (`keyFormat`, or an old
    /// record's; absent in a record means 1).
    public var format: Int
    public var kind: String
    public var kindVersion: Int
    public var params: JSONValue
    /// Input name (`data.raw`, `prep`, `scripts/prep.py`, `tile[img1]`) -> artifact digest.
    public var inputs: [String: Digest]
    /// The fan-out index (`0`, `img1`), nil for a single-task stage.
    public var fanOut: String?

    public init(kind: String, kindVersion: Int, params: JSONValue, inputs: [String: Digest], fanOut: String?,
                format: Int = TaskSignature.keyFormat) {
        self.format = format
        self.kind = kind
        self.kindVersion = kindVersion
        self.params = params
        self.inputs = inputs
        self.fanOut = fanOut
    }

    /// The canonical JSON that `key` hashes.
    public var json: JSONValue {
        var members: [String: JSONValue] = [
            "kind": .string(kind),
            "version": .int(kindVersion),
            "params": params,
            "inputs": .object(inputs.mapValues { .string($0.hex) }),
            "fanout": fanOut.map(JSONValue.string) ?? .null,
        ]
        if format != 1 { members["format"] = .int(format) }
        return .object(members)
    }

    /// The task key: SHA-256 of the canonical JSON.
    public var key: Digest { Digest.of(json) }

    /// Reads a signature back from a run record; nil when malformed.
    public init?(json: JSONValue) {
        guard let kind = json["kind"]?.stringValue, let version = json["version"]?.intValue,
              let params = json["params"], let inputs = json["inputs"]?.objectValue else { return nil }
        var digests: [String: Digest] = [:]
        for (name, value) in inputs {
            guard let hex = value.stringValue, let digest = Digest(hex: hex) else { return nil }
            digests[name] = digest
        }
        self.init(kind: kind, kindVersion: version, params: params, inputs: digests, fanOut: json["fanout"]?.stringValue,
                  format: json["format"]?.intValue ?? 1)
    }
}
