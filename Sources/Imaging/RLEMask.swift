/// A binary mask in Kaggle run-length form: runs of set pixels, pixels numbered from 1 top-to-bottom
/// then left-to-right (column-major). Memory is proportional to the number of runs, never the pixels,
/// so a 40,000 x 40,000 mask is cheap; windows are rasterised on demand.
public struct RLEMask: Sendable, Equatable {
    public let width: Int
    public let height: Int
    /// Runs as 0-based, half-open column-major pixel ranges, sorted, disjoint, non-adjacent.
    public private(set) var runs: [Range<Int>]

    /// An empty mask.
    public init(width: Int, height: Int) {
        self.width = width
        self.height = height
        runs = []
    }

    /// Runs already in 0-based column-major form; adjacent runs are merged. Precondition: sorted, disjoint.
    init(width: Int, height: Int, sortedRuns: [Range<Int>]) {
        self.width = width
        self.height = height
        var merged: [Range<Int>] = []
        merged.reserveCapacity(sortedRuns.count)
        for run in sortedRuns where !run.isEmpty {
            if let last = merged.last, last.upperBound == run.lowerBound {
                merged[merged.count - 1] = last.lowerBound..<run.upperBound
            } else {
                merged.append(run)
            }
        }
        runs = merged
    }

    /// Parses Kaggle RLE (`"start length start length ..."`, 1-indexed; empty = empty mask). Malformed
    /// input (non-numeric token, odd count, zero length, start 0, overlapping or unsorted runs, a run past
    /// the image end) throws `.malformedRLE` naming `source` and the token's position.
    public init(rle: String, width: Int, height: Int, source: String = "rle") throws(ImagingError) {
        guard width > 0, height > 0 else {
            throw ImagingError(.invalidArgument, "mask size \(width) x \(height) is empty", path: source)
        }
        let (total, overflow) = width.multipliedReportingOverflow(by: height)
        guard !overflow else {
            throw ImagingError(.tooLarge, "mask size \(width) x \(height) has more pixels than can be counted; check the image size", path: source)
        }
        let numbers = try Self.numbers(rle, source: source)
        guard numbers.count % 2 == 0 else {
            throw ImagingError(.malformedRLE, "odd number of values (\(numbers.count)): the last start \(numbers.last!) at token \(numbers.count) has no length; RLE is 'start length' pairs", path: source)
        }
        var parsed: [Range<Int>] = []
        parsed.reserveCapacity(numbers.count / 2)
        for pair in 0..<(numbers.count / 2) {
            let start = numbers[2 * pair], length = numbers[2 * pair + 1]
            let where_ = "pair \(pair + 1) ('\(start) \(length)', token \(2 * pair + 1))"
            guard start >= 1 else { throw ImagingError(.malformedRLE, "\(where_): starts are 1-indexed", path: source) }
            guard length >= 1 else { throw ImagingError(.malformedRLE, "\(where_): length must be at least 1", path: source) }
            guard start - 1 < total, length <= total - (start - 1) else {   // start - 1 + length could overflow
                throw ImagingError(.malformedRLE, "\(where_): run ends past the image end (\(width) x \(height) = \(total) pixels); check the image size", path: source)
            }
            if let last = parsed.last, start - 1 < last.upperBound {
                throw ImagingError(.malformedRLE, "\(where_): overlaps or precedes the previous run (ends at \(last.upperBound)); runs must be sorted and disjoint", path: source)
            }
            parsed.append((start - 1)..<(start - 1 + length))
        }
        self.init(width: width, height: height, sortedRuns: parsed)
    }

    /// The whitespace-separated non-negative integers of `text`, read from its UTF-8 bytes (a
    /// 40,000-pixel-wide mask's RLE runs to megabytes).
    private static func numbers(_ text: String, source: String) throws(ImagingError) -> [Int] {
        var numbers: [Int] = []
        var bytes = Array(text.utf8)
        bytes.append(UInt8(ascii: " "))
        var start = 0, value = 0, plain = true
        for (i, byte) in bytes.enumerated() {
            if byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D {
                if i > start {
                    if !plain || i - start > 18 {   // signs, letters, long digit runs: the standard parser decides
                        let token = String(decoding: bytes[start..<i], as: UTF8.self)
                        guard let parsed = Int(token), parsed >= 0 else {
                            throw ImagingError(.malformedRLE, "token \(numbers.count + 1) '\(token.prefix(20))' is not a non-negative integer",
                                               path: source)
                        }
                        value = parsed
                    }
                    numbers.append(value)
                }
                start = i + 1
                value = 0
                plain = true
            } else if byte >= 0x30 && byte <= 0x39 {
                value = value &* 10 &+ Int(byte - 0x30)
            } else {
                plain = false
            }
        }
        return numbers
    }

    /// Kaggle RLE text: 1-indexed `start length` pairs, space-separated; "" for an empty mask.
    public var encoded: String {
        var out = ""
        out.reserveCapacity(runs.count * 14)
        for (i, run) in runs.enumerated() {
            if i > 0 { out += " " }
            out += String(run.lowerBound + 1)
            out += " "
            out += String(run.count)
        }
        return out
    }

    /// Number of set pixels.
    public var area: Int { runs.reduce(0) { $0 + $1.count } }
}
