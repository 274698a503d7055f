/// The one error type of NeuralNet: what went wrong, said so a user can fix it.
public struct NeuralNetError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable {
        case shapeMismatch = "shape-mismatch"
        case missingTensor = "missing-tensor"
        case unexpectedTensor = "unexpected-tensor"
        case invalidArgument = "invalid-argument"
    }

    public var code: Code
    /// Lower-case, quotes the offending name, says how to fix it.
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
