import Foundation
import PipeCore

/// What one task produced (DVC's run-cache value): stored as
/// `<cache>/runs/<key>.json` once the output is safely in the object store.
/// Its presence is what makes a task "cached".
public struct RunRecord: Sendable {
    public var key: Digest
    public var signature: TaskSignature
    /// The digest of the output tree manifest.
    public var output: Digest
    public var pipeline: String
    public var stage: String
    public var task: String
    public var started: Date
    public var seconds: Double
    /// Numbers the task reported (`dice`, `loss`, …), an object.
    public var metrics: JSONValue
    public var host: String
    public var pipeVersion: String
    /// The last lines the task printed (stdout and stderr of a command).
    public var log: String

    public init(key: Digest, signature: TaskSignature, output: Digest, pipeline: String, stage: String, task: String,
                started: Date, seconds: Double, metrics: JSONValue, host: String, pipeVersion: String, log: String) {
        self.key = key
        self.signature = signature
        self.output = output
        self.pipeline = pipeline
        self.stage = stage
        self.task = task
        self.started = started
        self.seconds = seconds
        self.metrics = metrics
        self.host = host
        self.pipeVersion = pipeVersion
        self.log = log
    }

    public var json: JSONValue {
        .object([
            "format": .string("pipe-run-1"),
            "key": .string(key.hex),
            "signature": signature.json,
            "output": .string(output.hex),
            "pipeline": .string(pipeline),
            "stage": .string(stage),
            "task": .string(task),
            "started": .double(started.timeIntervalSince1970),
            "seconds": .double(seconds),
            "metrics": metrics,
            "host": .string(host),
            "pipe_version": .string(pipeVersion),
            "log": .string(log),
        ])
    }

    /// Parses a record; nil when any field is missing or the key does not
    /// match the signature (a corrupt or tampered record).
    public init?(json: JSONValue) { self.init(json: json, knownSignature: nil) }

    /// As `init(json:)`; a record whose signature equals `knownSignature`,
    /// whose key the caller has just computed, is checked by comparing the
    /// two instead of hashing the signature again (the record's key must
    /// still equal the caller's key, `RunRecordStore.lookup`).
    init?(json: JSONValue, knownSignature: TaskSignature?) {
        guard json["format"]?.stringValue == "pipe-run-1",
              let keyHex = json["key"]?.stringValue, let key = Digest(hex: keyHex),
              let signatureJSON = json["signature"], let signature = TaskSignature(json: signatureJSON),
              signature == knownSignature || signature.key == key,
              let outputHex = json["output"]?.stringValue, let output = Digest(hex: outputHex),
              let pipeline = json["pipeline"]?.stringValue, let stage = json["stage"]?.stringValue,
              let task = json["task"]?.stringValue, let started = json["started"]?.doubleValue,
              let seconds = json["seconds"]?.doubleValue else { return nil }
        self.init(key: key, signature: signature, output: output, pipeline: pipeline, stage: stage, task: task,
                  started: Date(timeIntervalSince1970: started), seconds: seconds,
                  metrics: json["metrics"] ?? .object([:]), host: json["host"]?.stringValue ?? "",
                  pipeVersion: json["pipe_version"]?.stringValue ?? "", log: json["log"]?.stringValue ?? "")
    }
}

/// Outcome of looking a key up in the run cache.
public enum RecordLookup: Sendable {
    case hit(RunRecord)
    case miss
    /// A record existed but was unreadable or pointed at missing objects; it has been evicted.
    case evicted(reason: String, record: RunRecord?)
    /// The record's output holds objects whose bytes no longer match their
    /// names; `Cache.lookup` evicts them and what was computed from them.
    case corrupt(RunRecord, objects: [Digest])
}

/// The run records under `<cache>/runs/`.
public struct RunRecordStore: Sendable {
    public let directory: String
    let objects: ObjectStore

    public init(root: String, objects: ObjectStore) {
        directory = "\(root)/runs"
        self.objects = objects
    }

    public func path(of key: Digest) -> String { "\(directory)/\(key.hex).json" }

    /// Largest run record read (a record holds a signature, metrics and a
    /// log tail of at most 40 lines); a larger file is treated as unreadable.
    static let maxRecordBytes = 64 << 20

    private func contents(of key: Digest) -> Data? {
        FileSystem.contents(of: path(of: key), limit: Self.maxRecordBytes)
    }

    /// Writes the record atomically; call only after its output is in the store.
    public func write(_ record: RunRecord) throws {
        try FileSystem.writeAtomically(Data(record.json.prettyString.utf8), to: path(of: record.key))
    }

    /// The record for `key`, with its output checked to be present and
    /// intact (`ObjectStore.checkTree`). A corrupt record is removed, and one
    /// whose output objects are gone or corrupt is reported, so the task
    /// reruns (a warning and a miss, never a crash). Use `Cache.lookup`,
    /// which also evicts what corrupt objects tainted. `signature`, when
    /// given, is the one whose key is `key` (it spares hashing it again).
    public func lookup(_ key: Digest, signature: TaskSignature? = nil) -> RecordLookup {
        let file = path(of: key)
        let data = contents(of: key)
        guard data != nil || FileSystem.exists(file) else { return .miss }
        guard let data, let record = Self.parse(data, key: key, signature: signature) else {
            unlink(file)
            return .evicted(reason: "run record", record: nil)
        }
        let integrity = objects.checkTree(record.output)
        if !integrity.corrupt.isEmpty { return .corrupt(record, objects: integrity.corrupt) }
        guard integrity.missing.isEmpty else { return .evicted(reason: "output", record: record) }
        return .hit(record)
    }

    /// The record for `key` when it reads and names `key`, without checking
    /// its output or removing anything (`Cache.intactRecords` starts here).
    func readMatching(_ key: Digest, signature: TaskSignature) -> RunRecord? {
        contents(of: key).flatMap { Self.parse($0, key: key, signature: signature) }
    }

    /// The record in `data` when it parses and names `key`.
    private static func parse(_ data: Data, key: Digest, signature: TaskSignature?) -> RunRecord? {
        guard let json = try? JSONValue(parsing: data), let record = RunRecord(json: json, knownSignature: signature),
              record.key == key else { return nil }
        return record
    }

    /// The record for `key` without checking its output (for explaining a miss).
    public func read(_ key: Digest) -> RunRecord? {
        guard let data = contents(of: key),
              let json = try? JSONValue(parsing: data) else { return nil }
        return RunRecord(json: json)
    }

    /// Every key that has a record.
    public func allKeys() -> [Digest] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.compactMap { name in
            name.hasSuffix(".json") ? Digest(hex: String(name.dropLast(5))) : nil
        }
    }

    public func remove(_ key: Digest) { unlink(path(of: key)) }
}
