import Foundation
import PipeCore
import Testing

@Test func canonicalJSONSortsKeysAndIsCompact() {
    let value = JSONValue.object(["b": .int(1), "a": .array([.double(0.5), .null, .bool(true)]), "é": .string("x\"y\n")])
    #expect(String(decoding: value.canonicalData, as: UTF8.self) == #"{"a":[0.5,null,true],"b":1,"é":"x\"y\n"}"#)
}

@Test func canonicalJSONKeepsIntegersAndDoublesApart() {
    #expect(String(decoding: JSONValue.int(3).canonicalData, as: UTF8.self) == "3")
    #expect(String(decoding: JSONValue.double(3).canonicalData, as: UTF8.self) == "3.0")
    #expect(String(decoding: JSONValue.double(1e-3).canonicalData, as: UTF8.self) == "0.001")
    #expect(JSONValue.int(3) != JSONValue.double(3))
}

@Test func parsingRoundTripsCanonicalText() throws {
    let text = #"{"a":[1,2.5,-3e-05,"\u00e9\ud83d\ude00"],"b":{"c":null,"d":false}}"#
    let value = try JSONValue(parsing: text)
    #expect(value["a"]?.arrayValue?[0] == .int(1))
    #expect(value["a"]?.arrayValue?[2] == .double(-3e-05))
    #expect(value["a"]?.arrayValue?[3] == .string("é😀"))
    #expect(try JSONValue(parsing: value.canonicalData) == value)
}

@Test func parsingRejectsMalformedText() {
    #expect(throws: JSONParseError.self) { try JSONValue(parsing: #"{"a": }"#) }
    #expect(throws: JSONParseError.self) { try JSONValue(parsing: #"[1, 2"#) }
    #expect(throws: JSONParseError.self) { try JSONValue(parsing: #"{"a": 1} x"#) }
}

@Test func flattenedUsesDottedPaths() {
    let value = JSONValue.object(["optimizer": .object(["lr": .double(0.001), "lookahead": .object(["k": .int(5)])]),
                                  "batch": .int(16)])
    #expect(value.flattened() == ["optimizer.lr": .double(0.001), "optimizer.lookahead.k": .int(5), "batch": .int(16)])
}

@Test func digestMatchesKnownSHA256Vector() {
    #expect(Digest.of(Data("abc".utf8)).hex == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    #expect(Digest(hex: "xyz") == nil)
}

@Test func streamingDigestEqualsOneShotDigest() throws {
    let url = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("digest-\(UUID())")
    var bytes = [UInt8](repeating: 0, count: 9 << 20)
    for i in bytes.indices { bytes[i] = UInt8(truncatingIfNeeded: i &* 2654435761 >> 13) }
    try Data(bytes).write(to: url)
    defer { try? FileManager.default.removeItem(at: url) }
    #expect(try StreamingHasher.digest(ofFileAt: url.path) == Digest.of(Data(bytes)))
}

@Test func closestMatchSuggestsTypos() {
    #expect(closestMatch(to: "tiel", in: ["tile", "train", "validate"]) == "tile")
    #expect(closestMatch(to: "zzzzzz", in: ["tile", "train"]) == nil)
    #expect(editDistance("kitten", "sitting") == 3)
}
