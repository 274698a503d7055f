import Foundation

/// Path arithmetic for specs: how a file is shown in messages (as the user
/// gave it: relative stays relative) and how relative paths resolve.
enum SpecPaths {
    /// The path to show for `url`, as the user gave it: its relative path when
    /// it was made relative to a base (`URL(fileURLWithPath: "pipelines/v54.yaml")`),
    /// else its absolute path.
    static func display(_ url: URL) -> String {
        if url.baseURL != nil { return normalize(url.relativePath) }
        return url.standardizedFileURL.path
    }

    /// `relative` resolved against the directory of the displayed path `display`.
    static func display(_ relative: String, besides display: String) -> String {
        if relative.hasPrefix("/") { return normalize(relative) }
        let directory = (display as NSString).deletingLastPathComponent
        return normalize(directory.isEmpty ? relative : directory + "/" + relative)
    }

    /// `path` as an absolute, standardized URL (relative paths against `base`).
    static func resolve(_ path: String, relativeTo base: URL) -> URL {
        if path.hasPrefix("/") { return URL(fileURLWithPath: path).standardizedFileURL }
        return base.appendingPathComponent(path).standardizedFileURL
    }

    /// Removes `.` components and folds `x/..` lexically, keeping leading `..`.
    static func normalize(_ path: String) -> String {
        var parts: [Substring] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            if part == "." { continue }
            if part == "..", let last = parts.last, last != ".." { parts.removeLast(); continue }
            parts.append(part)
        }
        let joined = parts.joined(separator: "/")
        if path.hasPrefix("/") { return "/" + joined }
        return joined.isEmpty ? "." : joined
    }
}

extension SpecPaths {
    /// Why `path` cannot name a place inside a directory pipe owns (a task's
    /// work directory, `runs/...`), or nil when it can: it must be non-empty,
    /// relative, normalized (no empty or `.` component; a leading `./` only
    /// when `allowsDotSlash`), without `..` and NUL, and outside `.pipe/`.
    /// The reason reads after the quoted path: `'../x' leaves its directory ('..')`.
    static func escapeProblem(_ path: String, allowsDotSlash: Bool = false) -> String? {
        if path.isEmpty { return "is empty" }
        if path.unicodeScalars.contains("\0") { return "contains a NUL byte" }
        if path.hasPrefix("/") { return "is an absolute path" }
        var components = path.split(separator: "/", omittingEmptySubsequences: false)
        if allowsDotSlash, components.count > 1, components[0] == "." { components.removeFirst() }
        if components.contains("..") { return "leaves its directory ('..')" }
        if components.contains(".pipe") { return "is inside '.pipe/', pipe's own store" }
        if components.contains(where: { $0.isEmpty || $0 == "." }) {
            let clean = components.filter { !$0.isEmpty && $0 != "." }.joined(separator: "/")
            return clean.isEmpty ? "names no file" : "is not normalized; write '\(clean)'"
        }
        return nil
    }

    /// `./a` and `a` are one path.
    static func withoutDotSlash(_ path: String) -> String { path.hasPrefix("./") ? String(path.dropFirst(2)) : path }
}
