import Foundation
import NeuralNet
import PipeCore

/// The input conventions of one trained model (`model.json`'s `size`, `reduce`, `mean`, `std`).
public struct InputConventions: Equatable, Sendable {
    /// Tile side in model pixels, 1...`maxSize`.
    public var size: Int
    /// Full-resolution pixels per model pixel, 1...`maxReduce`.
    public var reduce: Int
    /// Per-channel mean and std in 0...255 units (std positive), all finite.
    public var mean: [Float]
    public var std: [Float]

    /// The largest tile `size` (model pixels) and `reduce` accepted: far above any trained model, low
    /// enough that a window of `size * reduce` full-resolution pixels cannot overflow or exhaust memory.
    static let maxSize = 16384
    static let maxReduce = 256

    /// Reads a `model.json` (at most `maxJSONBytes`, nested at most `maxJSONDepth` deep); throws a
    /// `StageError` naming `source` and the field for anything missing, malformed or out of range.
    public init(json: Data, source: String) throws {
        let value = try Self.parse(json, source: source)
        guard let fields = value.objectValue else {
            throw StageError("\(source): is not a JSON object; retrain or restore the file")
        }
        try self.init(fields, source: source)
    }

    init(_ fields: [String: JSONValue], source: String) throws {
        func triple(_ key: String) throws -> [Float] {
            guard let values = fields[key]?.arrayValue?.compactMap(\.doubleValue), values.count == 3,
                  values.allSatisfy({ $0.isFinite && abs($0) <= 1e6 }) else {
                throw StageError("\(source): '\(key)' must be three finite numbers (r, g, b in 0..255 units)")
            }
            return values.map { Float($0) }
        }
        guard fields["size"] != nil, fields["reduce"] != nil else {
            throw StageError("\(source): has no positive 'size' and 'reduce'; a pipe train stage writes them (see docs/ml-stages.md)")
        }
        size = try Self.integer(fields["size"], "size", in: 1...Self.maxSize, source: source)
        reduce = try Self.integer(fields["reduce"], "reduce", in: 1...Self.maxReduce, source: source)
        let side = size * reduce, windowBytes = side * side * 3   // at most (2^14 * 2^8)^2 * 3: no overflow
        guard windowBytes <= TensorLimits.maxBytes else {
            throw StageError("\(source): 'size' \(size) at 'reduce' \(reduce) reads windows of \(side) x \(side) pixels (\(windowBytes) bytes), over the budget of \(TensorLimits.maxBytes) bytes (PIPE_MAX_BYTES)")
        }
        mean = try triple("mean")
        std = try triple("std")
        guard std.allSatisfy({ $0 > 0 }) else { throw StageError("\(source): 'std' \(std) must be positive") }
    }

    /// `value` as a whole number in `range`, or an error naming `source` and `key` (1e300, 2.5, -1 and
    /// strings are refused, never converted with a trap or silently rounded).
    static func integer(_ value: JSONValue?, _ key: String, in range: ClosedRange<Int>, source: String) throws -> Int {
        guard let number = value?.doubleValue, number.isFinite, number == number.rounded(),
              number >= Double(range.lowerBound), number <= Double(range.upperBound) else {
            let shown = value?.display ?? "missing"
            throw StageError("\(source): '\(key)' is \(shown); it must be a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return Int(number)
    }

    /// From safetensors metadata: keys `size`, `reduce`, `mean`, `std` (or
    /// `pipe.`-prefixed), each a JSON value or a comma-separated list.
    public init(metadata: [String: String], source: String) throws {
        var fields: [String: JSONValue] = [:]
        for key in ["size", "reduce", "mean", "std"] {
            guard let text = metadata["pipe.\(key)"] ?? metadata[key] else { continue }
            let json = text.contains("[") ? text : "[\(text)]"
            guard let parsed = try? Self.parse(Data(json.utf8), source: source), let items = parsed.arrayValue else { continue }
            fields[key] = items.count == 1 && (key == "size" || key == "reduce") ? items[0] : parsed
        }
        try self.init(fields, source: source)
    }
}

extension InputConventions {
    /// The largest model.json or metadata value read, and the deepest nesting of arrays and objects
    /// (the JSON parser recurses per level: a deep file must not exhaust the stack).
    static let maxJSONBytes = 1 << 20
    static let maxJSONDepth = 64

    /// Parses `data` as JSON after checking its size and nesting depth.
    static func parse(_ data: Data, source: String) throws -> JSONValue {
        guard data.count <= maxJSONBytes else {
            throw StageError("\(source): is \(data.count) bytes, over the \(maxJSONBytes) a model.json may have; the file is damaged")
        }
        var depth = 0, inString = false, escaped = false
        for byte in data {
            if inString {
                if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true } else if byte == UInt8(ascii: "\"") { inString = false }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                depth += 1
                guard depth <= maxJSONDepth else {
                    throw StageError("\(source): JSON nested more than \(maxJSONDepth) levels deep; the file is damaged")
                }
            case UInt8(ascii: "]"), UInt8(ascii: "}"): depth -= 1
            default: break
            }
        }
        do { return try JSONValue(parsing: data) } catch {
            throw StageError("\(source): not valid JSON (\(error)); retrain or restore the file")
        }
    }
}
