import Foundation

/// What `lstat` says of a stored object: recorded once its bytes are known to
/// match its name, compared on every use. Any write to the file, through any
/// of its hard links, moves `ctimeNanoseconds` (which no user call can set
/// back), so an equal stamp means the bytes were not touched; a different one
/// costs a re-hash, never trust.
public struct ObjectStamp: Sendable, Hashable {
    public var inode: UInt64
    public var size: Int64
    public var mtimeNanoseconds: Int64
    public var ctimeNanoseconds: Int64

    public init(inode: UInt64, size: Int64, mtimeNanoseconds: Int64, ctimeNanoseconds: Int64) {
        self.inode = inode
        self.size = size
        self.mtimeNanoseconds = mtimeNanoseconds
        self.ctimeNanoseconds = ctimeNanoseconds
    }

    /// The stamp of the regular file at `path` (symbolic links not followed);
    /// nil when it is missing or not a regular file.
    public init?(path: String) {
        var info = stat()
        guard lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        self.init(info)
    }

    init(_ info: stat) {
        inode = UInt64(info.st_ino)
        size = Int64(info.st_size)
        mtimeNanoseconds = Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec)
        ctimeNanoseconds = Int64(info.st_ctim.tv_sec) * 1_000_000_000 + Int64(info.st_ctim.tv_nsec)
    }

    /// Same file, same bytes as far as a write would show, but its inode
    /// changed status (a link made or removed, a chmod): what pipe's own link
    /// operations do to an object it has just checked.
    func sameContentAs(_ other: ObjectStamp) -> Bool {
        inode == other.inode && size == other.size && mtimeNanoseconds == other.mtimeNanoseconds
    }
}
