import PipeSpec

extension TaskContext {
    /// The input that the reference field `field` names (`from: train` -> the train stage's output).
    func input(field: String) throws -> InputArtifact {
        guard let name = stage.config[field]?.stringValue, let input = input(name) else {
            throw StageError("\(stage.kind) needs '\(field)': name a stage or data source", at: stage.location(of: field))
        }
        return input
    }

    /// Runs `body`, locating a `StageError` it throws without a location at the spec field `field`.
    func located<T>(_ field: String, _ body: () throws -> T) throws -> T {
        do { return try body() } catch let error as StageError where error.location == nil {
            throw StageError(error.message, at: stage.location(of: field), log: error.log)
        }
    }
}
