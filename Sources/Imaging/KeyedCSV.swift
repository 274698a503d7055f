import Foundation

/// Rows of a two-column `id,value` CSV such as Kaggle's `train.csv` (`id,encoding`) or a submission
/// (`id,predicted`), read from bytes: a real train.csv holds multi-megabyte RLE lines. Lines end in
/// LF or CRLF; surrounding spaces are trimmed; a field in double quotes is unquoted (`""` is a quote),
/// so `"abc",1 2` and `abc,"1 2"` both give id `abc`. The value is everything after the first comma
/// outside quotes.
public enum KeyedCSV {
    /// One data line: its 1-based line number, the id, and the value (nil when the line has no comma).
    public struct Row: Sendable, Equatable {
        public var line: Int
        public var id: String
        public var value: String?
    }

    /// Calls `body` for every non-blank line in order (the header included), until it returns false.
    public static func forEachRow<E: Error>(in bytes: UnsafeBufferPointer<UInt8>,
                                            _ body: (Row) throws(E) -> Bool) throws(E) {
        try forEachLine(in: bytes) { (line, number) throws(E) -> Bool in
            guard let (id, value) = split(line) else { return true }
            return try body(Row(line: number, id: id, value: value.map { field(UnsafeBufferPointer(rebasing: line[$0])) }))
        }
    }

    /// The first row with id `id`; only that row's value is decoded (the others may be megabytes of RLE).
    public static func firstRow(id: String, in bytes: UnsafeBufferPointer<UInt8>) -> Row? {
        var found: Row? = nil
        forEachLine(in: bytes) { line, number in
            guard let (rowID, value) = split(line), rowID == id else { return true }
            found = Row(line: number, id: rowID, value: value.map { field(UnsafeBufferPointer(rebasing: line[$0])) })
            return false
        }
        return found
    }

    /// Calls `body` with every line (without its LF) and its 1-based number, until it returns false.
    private static func forEachLine<E: Error>(in bytes: UnsafeBufferPointer<UInt8>,
                                              _ body: (UnsafeBufferPointer<UInt8>, Int) throws(E) -> Bool) throws(E) {
        var start = 0, number = 0
        while start < bytes.count {
            var end = start
            while end < bytes.count, bytes[end] != UInt8(ascii: "\n") { end += 1 }
            number += 1
            let line = UnsafeBufferPointer(rebasing: bytes[start..<end])
            start = end + 1
            guard try body(line, number) else { return }
        }
    }

    /// Every non-blank line of `text`, in order.
    public static func rows(in text: String) -> [Row] {
        var rows: [Row] = []
        var copy = text
        copy.withUTF8 { forEachRow(in: $0) { (row: Row) -> Bool in rows.append(row); return true } }
        return rows
    }

    /// The row with id `id` in the file at `path`; throws naming the file when it cannot be read or has no such row.
    public static func row(id: String, path: String) throws(ImagingError) -> Row {
        guard let data = try? Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped) else {
            throw ImagingError(.io, FileManager.default.fileExists(atPath: path) ? "cannot read file" : "no such file", path: path)
        }
        let found = data.withUnsafeBytes { raw in firstRow(id: id, in: raw.bindMemory(to: UInt8.self)) }
        guard let found else { throw ImagingError(.invalidArgument, "no row with id '\(id)'", path: path) }
        return found
    }

    /// One line's id and the range of its value (nil when the line has no comma outside quotes);
    /// nil for a blank line.
    static func split(_ line: UnsafeBufferPointer<UInt8>) -> (id: String, value: Range<Int>?)? {
        var first = 0, last = line.count
        while first < last, isSpace(line[first]) { first += 1 }
        while last > first, isSpace(line[last - 1]) { last -= 1 }
        guard first < last else { return nil }
        var quoted = false, comma: Int? = nil
        for i in first..<last {
            if line[i] == UInt8(ascii: "\"") { quoted.toggle() }
            else if line[i] == UInt8(ascii: ","), !quoted { comma = i; break }
        }
        let id = field(UnsafeBufferPointer(rebasing: line[first..<(comma ?? last)]))
        return (id, comma.map { ($0 + 1)..<last })
    }

    /// A field's text: trimmed, and unquoted when it is wrapped in double quotes.
    private static func field(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        var first = 0, last = bytes.count
        while first < last, isSpace(bytes[first]) { first += 1 }
        while last > first, isSpace(bytes[last - 1]) { last -= 1 }
        let quote = UInt8(ascii: "\"")
        guard last - first >= 2, bytes[first] == quote, bytes[last - 1] == quote else {
            return String(decoding: UnsafeBufferPointer(rebasing: bytes[first..<last]), as: UTF8.self)
        }
        let inner = String(decoding: UnsafeBufferPointer(rebasing: bytes[(first + 1)..<(last - 1)]), as: UTF8.self)
        return inner.replacingOccurrences(of: "\"\"", with: "\"")
    }

    private static func isSpace(_ byte: UInt8) -> Bool { byte == 32 || byte == 9 || byte == 13 }
}
