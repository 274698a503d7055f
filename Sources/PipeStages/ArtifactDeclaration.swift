/// An output file a stage kind writes for others to read (the report), by
/// role: declared by the kind, so readers know file names without knowing kinds.
public struct ArtifactDeclaration: Sendable, Hashable {
    public enum Role: Sendable, Hashable {
        /// CSV, a header row then one row per epoch; columns
        /// `epoch,lr,train_loss,val_loss,val_dice,seconds` in any order, extra
        /// columns ignored, an empty cell a gap (one per fold task).
        case learningCurve
        /// JSON `{"thresholds": [...], "dice": [...], "best": t}`, equal lengths.
        case thresholdSweep
        /// A directory of PNG overlays (prediction and ground truth drawn on
        /// the worst images and tiles), shown in file-name order.
        case overlays
        /// A PNG contact sheet, or (a directory) several.
        case preview
    }

    public var role: Role
    /// A file name inside the task's output, or a directory when it ends in `/`.
    public var path: String

    public init(_ role: Role, _ path: String) {
        self.role = role
        self.path = path
    }

    /// Whether `file`, a path inside a task's output, is this artifact (or, for a directory, a PNG in it).
    public func matches(_ file: String) -> Bool {
        let lower = file.lowercased()
        if path.hasSuffix("/") { return lower.hasPrefix(path) && lower.hasSuffix(".png") }
        return lower == path || lower.hasSuffix("/" + path)
    }
}
