import PipeCore

/// What a stage kind (or data-source generator) accepts: its fields, their
/// types, defaults and which of them hold references. The spec loader
/// validates against it, and `pipe schema` generates the JSON Schema from it,
/// so the two can never disagree.
public struct StageKindSchema: Sendable {
    public var name: String
    public var summary: String
    public var fields: [FieldSchema]

    public init(name: String, summary: String, fields: [FieldSchema]) {
        self.name = name
        self.summary = summary
        self.fields = fields
    }
}

/// One field of a kind or of a nested object.
public struct FieldSchema: Sendable {
    public var name: String
    public var type: FieldType
    public var required: Bool
    public var defaultValue: JSONValue?
    public var summary: String
    /// A shell string (`sh -c`): every `${...}` value substituted into it is
    /// shell-quoted for where it lands, at load time and at run time.
    public var isShellCommand: Bool

    public init(_ name: String, _ type: FieldType, required: Bool = false, default defaultValue: JSONValue? = nil,
                shell: Bool = false, _ summary: String) {
        self.name = name
        self.type = type
        self.required = required
        self.defaultValue = defaultValue
        self.isShellCommand = shell
        self.summary = summary
    }
}

/// The type of a field's value.
public indirect enum FieldType: Sendable {
    case string
    case integer(min: Int? = nil, max: Int? = nil)
    case number(min: Double? = nil, max: Double? = nil)
    case boolean
    /// One of the listed strings (did-you-mean on a miss).
    case oneOf([String])
    case array(FieldType)
    /// A list whose items are distinct after validation (`[0.5, 5e-1]` repeat
    /// one threshold): a repeat is an error naming both places.
    case set(FieldType)
    /// A nested object with its own fields; unknown keys are errors.
    case object([FieldSchema])
    /// An object with free keys whose values all have one type (`env`, `params`).
    case map(FieldType)
    /// Any JSON value (command `params`).
    case any
    /// The first alternative that matches (`threshold: 0.5` or `threshold: validate`).
    case anyOf([FieldType])
    /// A reference to a stage or `data.<name>`.
    case reference
    /// A reference, or a list of them.
    case references
    /// Command `deps`: each item a reference (a stage or `data.x`) or else a path relative to the spec.
    case dependencies
    /// One reference or path, as a command dependency is read (`init: weights/encoder.safetensors`):
    /// the file is hashed by content and its digest enters the task's key.
    case dependency
}

/// The kinds a spec may use. The core registers `command`; the image and
/// learning stages register theirs, so the loader knows every kind without
/// depending on the modules that implement them.
public struct KindRegistry: Sendable {
    public var stageKinds: [String: StageKindSchema]
    public var dataGenerators: [String: StageKindSchema]

    public init(stageKinds: [StageKindSchema] = [], dataGenerators: [StageKindSchema] = []) {
        self.stageKinds = Dictionary(uniqueKeysWithValues: stageKinds.map { ($0.name, $0) })
        self.dataGenerators = Dictionary(uniqueKeysWithValues: dataGenerators.map { ($0.name, $0) })
    }

    public mutating func register(stage schema: StageKindSchema) { stageKinds[schema.name] = schema }
    public mutating func register(generator schema: StageKindSchema) { dataGenerators[schema.name] = schema }
}
