import Foundation

/// Where spec text comes from: the disk, or (for `pipe diff file@REV`) a git
/// revision. With `checksPaths` false, path data sources and path deps are not
/// checked for existence, since the files of another revision are not on disk.
public struct SpecFileReader: Sendable {
    /// Returns the text of the spec at a URL; throws when it cannot (a thrown
    /// `Diagnostic`'s message is shown as the reason).
    public let read: @Sendable (URL) throws -> String
    /// Whether paths named by the spec must exist on disk.
    public let checksPaths: Bool

    public init(read: @escaping @Sendable (URL) throws -> String, checksPaths: Bool) {
        self.read = read
        self.checksPaths = checksPaths
    }

    /// Reads UTF-8 files from disk and checks that named paths exist; bytes
    /// that are not UTF-8 throw `InvalidUTF8` with their line and column.
    public static let disk = SpecFileReader(read: { try decodeUTF8(Data(contentsOf: $0)) }, checksPaths: true)

    /// The text of `data`, or `InvalidUTF8` locating the first byte that is not UTF-8.
    public static func decodeUTF8(_ data: Data) throws -> String {
        if let text = String(validating: data, as: UTF8.self) { return text }
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = data.makeIterator()
        var offset = 0
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let encoded): offset += encoded.count
            case .emptyInput: return String(decoding: data, as: UTF8.self)
            case .error:
                let before = data.prefix(offset)
                let line = before.count(where: { $0 == UInt8(ascii: "\n") }) + 1
                let lineStart = before.lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? data.startIndex
                let column = String(decoding: data[lineStart..<data.startIndex + offset], as: UTF8.self).count + 1
                throw InvalidUTF8(line: line, column: column, byte: data[data.startIndex + offset])
            }
        }
    }

    /// Whether `path` (absolute, or relative to `base`) names an existing file
    /// or directory; always true when paths are not checked.
    func exists(_ path: String, relativeTo base: URL) -> Bool {
        guard checksPaths else { return true }
        return FileManager.default.fileExists(atPath: SpecPaths.resolve(path, relativeTo: base).path)
    }
}

/// Spec text with a byte that is not UTF-8, located (1-based; the column counts characters).
public struct InvalidUTF8: Error, Sendable {
    public var line: Int
    public var column: Int
    public var byte: UInt8
}
