import Foundation

/// Checks for relative paths built from names pipe did not choose (manifest
/// entries, stage and pipeline names, fan-out items), so that none of them
/// can reach outside the folder it is joined to, whatever the spec layer let through.
public enum PathSafety {
    /// One path component: not empty, not `.` or `..`, no `/` and no NUL.
    public static func isSafeComponent(_ name: String) -> Bool {
        !name.isEmpty && name != "." && name != ".." && !name.contains("/") && !name.contains("\0")
    }

    /// A relative `/`-separated path whose every component is safe.
    public static func isSafeRelativePath(_ path: String) -> Bool {
        !path.isEmpty && path.split(separator: "/", omittingEmptySubsequences: false).allSatisfy {
            isSafeComponent(String($0))
        }
    }
}
