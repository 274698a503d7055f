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

    /// Reads UTF-8 files from disk and checks that named paths exist.
    public static let disk = SpecFileReader(read: { try String(contentsOf: $0, encoding: .utf8) }, checksPaths: true)

    /// Whether `path` (absolute, or relative to `base`) names an existing file
    /// or directory; always true when paths are not checked.
    func exists(_ path: String, relativeTo base: URL) -> Bool {
        guard checksPaths else { return true }
        return FileManager.default.fileExists(atPath: SpecPaths.resolve(path, relativeTo: base).path)
    }
}
