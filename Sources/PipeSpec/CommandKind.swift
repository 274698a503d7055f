import PipeCore

/// The `command` stage kind: a user command with declared deps, outs and
/// params, DVC-style, run in a fresh work directory (DESIGN §3).
public enum CommandKind {
    public static let schema = StageKindSchema(
        name: "command",
        summary: "Run a command in a fresh work directory where only its declared deps appear.",
        fields: [
            FieldSchema("cmd", .anyOf([.string, .array(.string)]), required: true, shell: true,
                        "A shell string (run with sh -c; substituted values are shell-quoted) or an argv list."),
            FieldSchema("deps", .dependencies, default: .array([]),
                        "What the command reads: stage names, data.NAME, or paths relative to the spec."),
            FieldSchema("outs", .set(.string), required: true,
                        "Paths the command writes, relative to its work directory; each must exist afterwards."),
            FieldSchema("params", .map(.any), default: .object([:]),
                        "Values available as ${stage.params.NAME} in cmd; part of the cache key."),
            FieldSchema("env", .map(.string), default: .object([:]), "Extra environment variables; part of the cache key."),
            FieldSchema("foreach", .set(.any),
                        "Fan out: one separately cached task per item, available as ${item} in cmd."),
            FieldSchema("metrics", .string,
                        "One of outs: a JSON object of numbers shown in the stage table and pipe diff."),
            FieldSchema("description", .string, "What the stage is for."),
        ])
}
