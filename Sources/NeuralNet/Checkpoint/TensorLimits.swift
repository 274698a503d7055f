import Foundation

/// The budget every tensor shape read from a file (.npy, safetensors) or an option is checked
/// against before pipe allocates for it: `PIPE_MAX_BYTES` (default 4 GiB), the largest single
/// float32 buffer, shared with the Imaging module's `ImageLimits`. A value that is not a positive
/// integer is ignored.
public enum TensorLimits {
    /// The byte budget for one tensor (`PIPE_MAX_BYTES`).
    public static let maxBytes: Int = {
        guard let text = ProcessInfo.processInfo.environment["PIPE_MAX_BYTES"], let value = Int(text), value > 0 else { return 4 << 30 }
        return value
    }()

    /// The element count of `shape`, checked for overflow and so that `elementSize`-byte elements
    /// (and the float32 copy pipe makes) fit `maxBytes`; a failure saying why otherwise.
    public static func elementCount(_ shape: [Int], elementSize: Int) -> Result<Int, LimitExceeded> {
        var count = 1
        for d in shape {
            guard d >= 0 else { return .failure(LimitExceeded("shape \(shape) has a negative extent")) }
            let (p, overflow) = count.multipliedReportingOverflow(by: d)
            guard !overflow else { return .failure(LimitExceeded("shape \(shape) has more elements than can be counted")) }
            count = p
        }
        let (bytes, overflow) = count.multipliedReportingOverflow(by: max(elementSize, 4))
        guard !overflow, bytes <= maxBytes else {
            return .failure(LimitExceeded("shape \(shape) needs \(overflow ? "more than \(Int.max)" : "\(bytes)") bytes, over the budget of \(maxBytes) bytes; raise PIPE_MAX_BYTES if the file really is that large"))
        }
        return .success(count)
    }

    /// Why a shape was refused (lower-case, for a `CheckpointError` or `NeuralNetError` message).
    public struct LimitExceeded: Error, Sendable {
        public var message: String
        init(_ message: String) { self.message = message }
    }
}
