import Foundation
import PipeCache
import PipeCore
import TestSupport
import Testing

/// A cache holding a chain of results: a -> b -> c, a -> fan[0], fan[1] ->
/// joined (which reads the fan-out tree), and an unrelated d.
private struct Chain {
    let dir: TemporaryDirectory
    let cache: Cache
    var keys: [String: Digest] = [:]
    var outputs: [String: TreeManifest] = [:]

    init() throws {
        dir = try TemporaryDirectory()
        cache = try Cache(root: dir.file("cache").path)
    }

    /// Stores `files` as the output of task `name` consuming `inputs` (digests).
    mutating func add(_ name: String, files: [String: String], inputs: [String: Digest]) throws {
        for (path, text) in files { try dir.write("out-\(name)/\(path)", text) }
        let manifest = try cache.objects.ingestTree(at: dir.file("out-\(name)").path, move: true)
        let signature = TaskSignature(kind: "command", kindVersion: 1, params: .string(name), inputs: inputs, fanOut: nil)
        try cache.records.write(RunRecord(key: signature.key, signature: signature, output: manifest.digest, pipeline: "p",
                                          stage: name, task: name, started: Date(), seconds: 1, metrics: .object([:]),
                                          host: "h", pipeVersion: "t", log: ""))
        keys[name] = signature.key
        outputs[name] = manifest
    }

    static func build() throws -> Chain {
        var chain = try Chain()
        try chain.add("a", files: ["a.txt": "1 2 3"], inputs: [:])
        try chain.add("b", files: ["b.txt": "6"], inputs: ["a": chain.outputs["a"]!.digest])
        try chain.add("c", files: ["c.txt": "12"], inputs: ["b": chain.outputs["b"]!.digest])
        try chain.add("fan0", files: ["f.txt": "f0"], inputs: ["a": chain.outputs["a"]!.digest])
        try chain.add("fan1", files: ["f.txt": "f1"], inputs: ["a": chain.outputs["a"]!.digest])
        let fan = TreeManifest(entries: ["fan0", "fan1"].enumerated().flatMap { index, name in
            chain.outputs[name]!.entries.map {
                TreeManifest.Entry(path: "\(index)/\($0.path)", executable: false, digest: $0.digest, size: $0.size)
            }
        })
        let fanDigest = try chain.cache.objects.put(fan.json.canonicalData)
        try chain.add("joined", files: ["j.txt": "f0f1"], inputs: ["fan": fanDigest])
        try chain.add("d", files: ["d.txt": "unrelated"], inputs: [:])
        return chain
    }

    func hasRecord(_ name: String) -> Bool { cache.records.read(keys[name]!) != nil }
}

@Test func evictingACorruptObjectTakesItsProducerAndEveryResultComputedFromItTransitively() throws {
    let chain = try Chain.build()
    defer { chain.dir.remove() }
    let view = try chain.cache.objects.view(of: chain.outputs["a"]!.digest)
    let report = chain.cache.evictCorrupt([chain.outputs["a"]!.entries[0].digest])
    #expect(Set(report.records) == Set(["a", "b", "c", "fan0", "fan1", "joined"].map { chain.keys[$0]! }))
    for name in ["a", "b", "c", "fan0", "fan1", "joined"] { #expect(!chain.hasRecord(name), "\(name)") }
    #expect(chain.hasRecord("d"))
    #expect(!FileManager.default.fileExists(atPath: view), "the view of the corrupt tree is dropped")
}

@Test func evictingAMidChainObjectKeepsWhatCameBeforeIt() throws {
    let chain = try Chain.build()
    defer { chain.dir.remove() }
    chain.cache.evictCorrupt([chain.outputs["b"]!.entries[0].digest])
    #expect(!chain.hasRecord("b") && !chain.hasRecord("c"))
    for name in ["a", "fan0", "fan1", "joined", "d"] { #expect(chain.hasRecord(name), "\(name)") }
}

@Test func lookupOfAResultWithACorruptObjectEvictsItsConsumersAndVerifyDoesTheSame() throws {
    let chain = try Chain.build()
    defer { chain.dir.remove() }
    let object = chain.cache.objects.path(of: chain.outputs["b"]!.entries[0].digest)
    chmod(object, 0o644)
    try Data("7".utf8).write(to: URL(fileURLWithPath: object))  // same size, new bytes
    guard case .evicted(let reason, _) = chain.cache.lookup(chain.keys["b"]!) else {
        Issue.record("expected an eviction")
        return
    }
    #expect(reason == "corrupt output")
    #expect(!chain.hasRecord("c"))

    let again = try Chain.build()
    defer { again.dir.remove() }
    let fanObject = again.cache.objects.path(of: again.outputs["fan1"]!.entries[0].digest)
    #expect(truncate(fanObject, 0) == 0)
    let report = try again.cache.verify()
    #expect(report.corruptObjects == [fanObject])
    #expect(Set(report.brokenRecords) == Set(["fan1", "joined"].map { again.cache.records.path(of: again.keys[$0]!) }))
    for name in ["a", "b", "c", "fan0", "d"] { #expect(again.hasRecord(name), "\(name)") }
}

@Test func aTaskReproducingACorruptObjectReplacesItAndEvictsWhatConsumedTheCorruptBytes() throws {
    let chain = try Chain.build()
    defer { chain.dir.remove() }
    let digest = chain.outputs["a"]!.entries[0].digest
    let object = chain.cache.objects.path(of: digest)
    chmod(object, 0o644)
    try Data("9 9 9".utf8).write(to: URL(fileURLWithPath: object))
    try chain.dir.write("again/a.txt", "1 2 3")
    let manifest = try chain.cache.ingestOutput(at: chain.dir.file("again").path, allowedRoots: [])
    #expect(manifest.entries[0].digest == digest)
    #expect(try StreamingHasher.digest(ofFileAt: object) == digest, "the good bytes replaced the corrupt ones")
    for name in ["b", "c", "fan0", "fan1", "joined"] { #expect(!chain.hasRecord(name), "\(name)") }
    #expect(chain.hasRecord("d"))
}
