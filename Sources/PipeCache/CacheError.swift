import Foundation
import PipeCore

/// A failure of the cache: what went wrong, on which path, and what to do.
public struct CacheError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var path: String?
    public var cause: String?
    /// Objects found corrupt on the way (already evicted or to evict with
    /// `Cache.evictCorrupt`), so callers can drop what was computed from them.
    public var corruptObjects: [Digest]

    public init(_ message: String, path: String? = nil, cause: String? = nil, corruptObjects: [Digest] = []) {
        self.message = message
        self.path = path
        self.cause = cause
        self.corruptObjects = corruptObjects
    }

    public var description: String {
        var text = message
        if let path { text += " ('\(path)')" }
        if let cause { text += ": \(cause)" }
        return text
    }

    /// The error for a failed system call on `path`, with errno's text.
    static func posix(_ what: String, path: String, errno code: Int32 = errno) -> CacheError {
        var hint = ""
        if code == ENOSPC { hint = "; the disk is full: free space or point PIPE_CACHE at a larger disk" }
        if code == EACCES || code == EPERM { hint = "; check the permissions of the cache directory" }
        return CacheError("cannot \(what)", path: path, cause: String(cString: strerror(code)) + hint)
    }
}
