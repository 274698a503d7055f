/// Slurm's compressed hostlists, as squeue `%N` and sacct `NodeList` print a
/// job's nodes (`node[01-03,07],gpu5`, `rack[1-2]-n[08-10]`), expanded to the
/// node names they stand for: a pure function, tested on text fixtures.
public enum SlurmHostlist {
    /// The most names one list may expand to; a larger list is refused, not allocated.
    public static let maxNames = 10_000

    /// The node names of `list` in Slurm's order: commas outside brackets separate
    /// hosts; inside, they separate numbers and `lo-hi` ranges, padded with zeros to
    /// the width of `lo` as Slurm writes them; several bracket groups in one host
    /// expand to every combination, the first group outermost. [] for no node (an
    /// empty list, `(null)`, `None assigned`); nil for text that is not a hostlist
    /// or that names more than `limit` nodes.
    public static func expand(_ list: String, limit: Int = maxNames) -> [String]? {
        let text = list.trimmingCharacters(in: .whitespaces)
        if text.isEmpty || text == "(null)" || text == "None assigned" { return [] }
        guard let hosts = splitHosts(text) else { return nil }
        var names: [String] = []
        for host in hosts {
            guard let pieces = parse(host), let count = count(pieces, limit: limit - names.count) else { return nil }
            names.reserveCapacity(names.count + count)
            names += expand(pieces)
        }
        return names
    }

    /// One part of a host pattern: literal text, or a bracket group's ranges, each with its width.
    private enum Piece {
        case text(String)
        case numbers([(low: Int, high: Int, width: Int)])
    }

    /// `a[1-2],b` -> `a[1-2]`, `b`; nil when brackets do not pair up.
    private static func splitHosts(_ text: String) -> [Substring]? {
        var hosts: [Substring] = []
        var start = text.startIndex, open = false
        for index in text.indices {
            switch text[index] {
            case "[": if open { return nil } else { open = true }
            case "]": if open { open = false } else { return nil }
            case "," where !open:
                hosts.append(text[start..<index])
                start = text.index(after: index)
            default: break
            }
        }
        guard !open else { return nil }
        hosts.append(text[start...])
        return hosts.allSatisfy { !$0.isEmpty } ? hosts : nil
    }

    /// `rack[1-2]-n[08-10]` -> text, numbers, text, numbers; nil for characters no node name has.
    private static func parse(_ host: Substring) -> [Piece]? {
        var pieces: [Piece] = []
        var rest = host
        while let open = rest.firstIndex(of: "[") {
            guard let close = rest[open...].firstIndex(of: "]"), let group = numbers(rest[rest.index(after: open)..<close])
            else { return nil }
            if open > rest.startIndex { pieces.append(.text(String(rest[..<open]))) }
            pieces.append(group)
            rest = rest[rest.index(after: close)...]
        }
        if !rest.isEmpty { pieces.append(.text(String(rest))) }
        let nameCharacters = pieces.allSatisfy { piece in
            guard case .text(let text) = piece else { return true }
            return text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == ".") }
        }
        return nameCharacters ? pieces : nil
    }

    /// `01-03,7` -> 1...3 of width 2 and 7...7 of width 1; nil unless every item is a number or an ascending range.
    private static func numbers(_ group: Substring) -> Piece? {
        var ranges: [(low: Int, high: Int, width: Int)] = []
        for item in group.split(separator: ",", omittingEmptySubsequences: false) {
            let bounds = item.split(separator: "-", omittingEmptySubsequences: false)
            guard (1...2).contains(bounds.count),
                  bounds.allSatisfy({ (1...18).contains($0.count) && $0.allSatisfy { $0.isASCII && $0.isNumber } }),
                  let low = Int(bounds[0]), let high = Int(bounds[bounds.count - 1]), low <= high else { return nil }
            ranges.append((low, high, bounds[0].count))
        }
        return .numbers(ranges)
    }

    /// How many names the pieces expand to; nil when more than `limit`.
    private static func count(_ pieces: [Piece], limit: Int) -> Int? {
        var total = 1
        for case .numbers(let ranges) in pieces {
            var group = 0
            for range in ranges {
                group += range.high - range.low + 1  // each term at most 10^18, and the sum stays at most limit
                guard group <= limit else { return nil }
            }
            let (product, overflow) = total.multipliedReportingOverflow(by: group)
            guard !overflow, product <= limit else { return nil }
            total = product
        }
        return total
    }

    private static func expand(_ pieces: [Piece]) -> [String] {
        var names = [""]
        for piece in pieces {
            switch piece {
            case .text(let text):
                names = names.map { $0 + text }
            case .numbers(let ranges):
                let numbers = ranges.flatMap { range in
                    (range.low...range.high).map { number in
                        let digits = String(number)
                        return String(repeating: "0", count: max(0, range.width - digits.count)) + digits
                    }
                }
                names = names.flatMap { prefix in numbers.map { prefix + $0 } }
            }
        }
        return names
    }
}
