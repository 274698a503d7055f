import Foundation

/// The repository checkout the tests run from (scripts and fixtures live there).
public enum PipeRepository {
    public static var root: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }
}
