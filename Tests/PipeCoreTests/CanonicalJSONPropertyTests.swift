import Foundation
import PipeCore
import Testing
import TestSupport

/// Random JSON values, biased toward the values that collided before
/// (`NaN`/`"NaN"`, `1`/`1.0`/`"1"`, `0.0`/`-0.0`, Unicode look-alikes).
private struct ValueGenerator {
    var random: SeededRandom

    static let strings = ["", "NaN", "Infinity", "-Infinity", "1", "1.0", "true", "null", "\u{e9}", "e\u{301}",
                          "\"", "\\", "\n", "\u{0}", "\u{1f}", "a b", "\u{1F600}", "\u{7f}", "{}", "[]"]
    static let doubles: [Double] = [.nan, .infinity, -.infinity, 0.0, -0.0, 1.0, -1.0, 0.1, 1e15, 1e16, 1e-300,
                                    .greatestFiniteMagnitude, .leastNonzeroMagnitude, 9007199254740993.0, 2.5e-8]
    static let ints = [0, 1, -1, Int.max, Int.min, 1_000_000_000_000_000, 42]

    mutating func pick<T>(_ items: [T]) -> T { items[Int(random.next() % UInt64(items.count))] }

    mutating func string() -> String {
        if random.next() % 2 == 0 { return pick(Self.strings) }
        let count = Int(random.next() % 6)
        var scalars = String.UnicodeScalarView()
        for _ in 0..<count {
            let ranges: [ClosedRange<UInt32>] = [0...0x7f, 0x80...0x7ff, 0x800...0xd7ff, 0xe000...0xffff, 0x10000...0x10ffff]
            let range = pick(ranges)
            scalars.append(Unicode.Scalar(range.lowerBound + UInt32(random.next() % UInt64(range.count)))!)
        }
        return String(scalars)
    }

    mutating func double() -> Double {
        if random.next() % 2 == 0 { return pick(Self.doubles) }
        let value = Double(bitPattern: random.next())
        return value.isFinite ? value : 0.5
    }

    mutating func value(depth: Int = 0) -> JSONValue {
        switch random.next() % (depth > 2 ? 5 : 7) {
        case 0: return .null
        case 1: return .bool(random.next() % 2 == 0)
        case 2: return random.next() % 2 == 0 ? .int(pick(Self.ints)) : .int(Int(bitPattern: UInt(random.next())))
        case 3: return .double(double())
        case 4: return .string(string())
        case 5: return .array((0..<Int(random.next() % 4)).map { _ in value(depth: depth + 1) })
        default:
            var members: [String: JSONValue] = [:]
            for _ in 0..<Int(random.next() % 4) { members[string()] = value(depth: depth + 1) }
            return .object(members)
        }
    }

    /// `value` with one leaf replaced by a near miss of another type or sign.
    mutating func nearMiss(of value: JSONValue) -> JSONValue {
        switch value {
        case .int(let i): return pick([.double(Double(i)), .string(String(i))])
        case .double(let d) where d.isNaN: return pick([.string("NaN"), .null])
        case .double(let d) where d.isInfinite: return .string(d > 0 ? "Infinity" : "-Infinity")
        case .double(let d): return pick([.double(-d), .string(String(d)), .double(d.nextUp)])
        case .string(let s): return pick([.string(s + " "), .string(s.precomposedStringWithCanonicalMapping == s
                                                              ? s.decomposedStringWithCanonicalMapping + "\u{301}" : s.precomposedStringWithCanonicalMapping)])
        case .bool(let b): return .bool(!b)
        case .null: return .string("null")
        case .array(var items):
            guard !items.isEmpty else { return .array([.null]) }
            let index = Int(random.next() % UInt64(items.count))
            items[index] = nearMiss(of: items[index])
            return .array(items)
        case .object(var members):
            guard let key = members.keys.sorted().first else { return .object(["": .null]) }
            members[key] = nearMiss(of: members[key]!)
            return .object(members)
        }
    }
}

/// Structural identity written independently of `==`: doubles by bits (all
/// NaNs one value), strings by Unicode scalars.
private func identical(_ a: JSONValue, _ b: JSONValue) -> Bool {
    switch (a, b) {
    case (.null, .null): return true
    case (.bool(let x), .bool(let y)): return x == y
    case (.int(let x), .int(let y)): return x == y
    case (.double(let x), .double(let y)): return (x.isNaN && y.isNaN) || x.bitPattern == y.bitPattern
    case (.string(let x), .string(let y)): return Array(x.unicodeScalars) == Array(y.unicodeScalars)
    case (.array(let x), .array(let y)): return x.count == y.count && zip(x, y).allSatisfy(identical)
    case (.object(let x), .object(let y)):
        let xs = x.map { (Array($0.key.unicodeScalars), $0.value) }.sorted { $0.0.lexicographicallyPrecedes($1.0) { $0.value < $1.value } }
        let ys = y.map { (Array($0.key.unicodeScalars), $0.value) }.sorted { $0.0.lexicographicallyPrecedes($1.0) { $0.value < $1.value } }
        return xs.count == ys.count && zip(xs, ys).allSatisfy { $0.0 == $1.0 && identical($0.1, $1.1) }
    default: return false
    }
}

@Suite struct CanonicalJSONPropertyTests {
    @Test func canonicalFormRoundTripsSoDistinctValuesNeverShareBytes() throws {
        var generator = ValueGenerator(random: SeededRandom(seed: 14))
        for _ in 0..<3_000 {
            let value = generator.value()
            let parsed = try JSONValue(parsing: value.canonicalData)
            #expect(identical(parsed, value), "\(String(decoding: value.canonicalData, as: UTF8.self))")
            #expect(parsed == value)
            #expect(parsed.hashValue == value.hashValue)
        }
    }

    @Test func equalityAndKeysFollowIdentity() {
        var generator = ValueGenerator(random: SeededRandom(seed: 2021))
        for round in 0..<3_000 {
            let a = generator.value()
            let b = round % 3 == 0 ? generator.value() : generator.nearMiss(of: a)
            let same = identical(a, b)
            #expect((a == b) == same)
            #expect((a.canonicalData == b.canonicalData) == same,
                    "\(String(decoding: a.canonicalData, as: UTF8.self)) vs \(String(decoding: b.canonicalData, as: UTF8.self))")
            let keyA = TaskSignature(kind: "command", kindVersion: 1, params: a, inputs: [:], fanOut: nil).key
            let keyB = TaskSignature(kind: "command", kindVersion: 1, params: b, inputs: [:], fanOut: nil).key
            #expect((keyA == keyB) == same)
            // The same value built again gives the same bytes and key.
            var again = ValueGenerator(random: SeededRandom(seed: UInt64(round)))
            var twice = ValueGenerator(random: SeededRandom(seed: UInt64(round)))
            let (x, y) = (again.value(), twice.value())
            #expect(x == y && x.canonicalData == y.canonicalData && x.hashValue == y.hashValue)
        }
    }

    @Test func theCollisionsSeenBeforeAreGone() {
        let pairs: [(JSONValue, JSONValue)] = [
            (.double(.nan), .string("NaN")), (.double(.infinity), .string("Infinity")),
            (.double(-.infinity), .string("-Infinity")), (.int(1), .string("1")), (.int(1), .double(1)),
            (.double(0), .double(-0.0)), (.string("\u{e9}"), .string("e\u{301}")),
            (.object(["\u{e9}": .int(1)]), .object(["e\u{301}": .int(1)])),
        ]
        for (a, b) in pairs {
            let key = { (v: JSONValue) in TaskSignature(kind: "k", kindVersion: 1, params: .object(["x": v]), inputs: [:], fanOut: nil).key }
            #expect(a != b)
            #expect(a.canonicalData != b.canonicalData)
            #expect(key(a) != key(b), "\(a) vs \(b)")
        }
        #expect(JSONValue.double(.nan) == .double(-.nan))
        #expect(String(decoding: JSONValue.array([.double(.nan), .double(-.infinity), .string("NaN")]).canonicalData,
                       as: UTF8.self) == "[NaN,-Infinity,\"NaN\"]")
    }

    @Test func theKeyFormatIsPartOfTheKey() throws {
        let current = TaskSignature(kind: "k", kindVersion: 1, params: .int(1), inputs: [:], fanOut: nil)
        #expect(current.format == TaskSignature.keyFormat)
        #expect(current.json["format"] == .int(2))
        let old = TaskSignature(kind: "k", kindVersion: 1, params: .int(1), inputs: [:], fanOut: nil, format: 1)
        #expect(old.json["format"] == nil)
        #expect(old.key != current.key)
        // A record written by an older pipe still verifies (its key is its own format's).
        let parsed = try #require(TaskSignature(json: try JSONValue(parsing: old.json.canonicalData)))
        #expect(parsed.format == 1 && parsed.key == old.key)
        #expect(current.differences(from: old) == [.keyFormatChanged(old: 1, new: 2)])
        #expect(RunReason.keyFormatChanged(old: 1, new: 2).text(stage: "k") == "cache key format v1 -> v2 (new pipe version)")
    }

    @Test func deepJSONIsAnErrorNotACrash() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: deep) }
        let fine = String(repeating: "[", count: 500) + String(repeating: "]", count: 500)
        #expect((try? JSONValue(parsing: fine)) != nil)
    }
}
