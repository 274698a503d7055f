/// A file that NeuralNet reads or writes (safetensors, .npy, checkpoints) is
/// malformed, unreadable or does not fit the model: says which file and tensor,
/// and what to do about it. Messages are lower-case and quote the offending thing.
public struct CheckpointError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable {
        /// The bytes do not follow the format (truncated, bad header, bad offsets).
        case malformed
        /// The format is valid but uses something NeuralNet does not read (a dtype, Fortran order).
        case unsupported
        /// The file could not be read or written.
        case io
        /// The contents do not match what the caller needs (missing tensor, wrong shape).
        case mismatch
    }

    public var code: Code
    /// The file concerned, as the user named it.
    public var path: String
    /// Lower-case, quotes the offending name, says how to fix it.
    public var message: String

    public init(_ code: Code, path: String, _ message: String) {
        self.code = code
        self.path = path
        self.message = message
    }

    public var description: String { "\(path): \(message)" }
}
