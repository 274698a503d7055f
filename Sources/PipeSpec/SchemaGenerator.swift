import PipeCore

/// Generates the JSON Schema (draft 2020-12) of a pipeline spec from a
/// `KindRegistry`, so editors validate and complete specs with exactly the
/// rules the loader applies. `pipe schema` prints it; the committed copy is
/// `schemas/pipeline.schema.json`.
public enum SchemaGenerator {
    /// The schema: top-level keys, data sources (a path or one generator),
    /// stages discriminated by `kind`. Anywhere a typed value stands, a
    /// `${params.NAME}` string or `null` (which deletes an inherited key) may
    /// stand instead. In a spec with `extends`, stages may be partial.
    public static func jsonSchema(for registry: KindRegistry) -> JSONValue {
        let kinds = registry.stageKinds.keys.sorted()
        var definitions: [String: JSONValue] = [
            "name": .object(["type": j("string"), "pattern": .string("^[A-Za-z_][A-Za-z0-9_-]*$")]),
            "interpolation": .object([
                "type": j("string"), "pattern": .string(#"^\$\{params\.[A-Za-z0-9_.-]+\}$"#),
                "description": j("A ${params.NAME} reference, replaced by the parameter's value."),
            ]),
            "dataSource": dataSourceSchema(registry),
            "stage": stageSchema(kinds: kinds, partial: false),
            "stagePatch": stageSchema(kinds: kinds, partial: true),
            "resources": resourcesSchema(),
        ]
        for kind in kinds {
            let schema = registry.stageKinds[kind]!
            definitions["stage-\(kind)"] = kindSchema(schema, partial: false)
            definitions["stage-\(kind)-patch"] = kindSchema(schema, partial: true)
        }
        for generator in registry.dataGenerators.keys.sorted() {
            definitions["generator-\(generator)"] = generatorSchema(registry.dataGenerators[generator]!)
        }
        return .object([
            "$schema": j("https://json-schema.org/draft/2020-12/schema"),
            "title": j("pipe pipeline spec"),
            "description": j("A declarative, content-addressed pipeline (see DESIGN.md §3)."),
            "type": j("object"),
            "additionalProperties": .bool(false),
            "properties": .object(topLevelProperties()),
            "if": .object(["required": j(["extends"])]),
            "then": stagesWith("stagePatch"),
            "else": stagesWith("stage"),
            "$defs": .object(definitions),
        ])
    }

    private static func topLevelProperties() -> [String: JSONValue] {
        [
            "pipeline": .object(["type": j(["string", "integer"]), "description": j("The pipeline's name; the file stem when absent.")]),
            "extends": .object(["type": j("string"), "description": j("A parent spec, relative to this one; deep-merged under this one.")]),
            "description": .object(["type": j(["string", "null"]), "description": j("What this version changes and why.")]),
            "params": .object(["type": j(["object", "null"]), "description": j("Free values, referenced as ${params.NAME}.")]),
            "data": .object([
                "type": j(["object", "null"]), "description": j("Data sources by name, referenced as data.NAME."),
                "propertyNames": ref("name"), "additionalProperties": ref("dataSource"),
            ]),
            "settings": .object([
                "type": j(["object", "null"]), "additionalProperties": .bool(false),
                "description": j("How the spec runs, never what it computes (not part of any key)."),
                "properties": .object([
                    "executor": .object(["enum": j(PipelineSettings.executors),
                                         "description": j("Where tasks run; --executor overrides it.")]),
                    "resources": ref("resources"),
                ]),
            ]),
            "stages": .object([
                "type": j(["object", "null"]), "description": j("Stages by name; each has a kind."),
                "propertyNames": .object(["allOf": .array([
                    ref("name"), .object(["not": .object(["enum": j(reservedStageNames)])]),
                ])]),
            ]),
        ]
    }

    private static func stagesWith(_ definition: String) -> JSONValue {
        .object(["properties": .object(["stages": .object(["additionalProperties": ref(definition)])])])
    }

    /// A stage: `kind` picks the per-kind schema (`if kind == K then stage-K`).
    private static func stageSchema(kinds: [String], partial: Bool) -> JSONValue {
        var schema: [String: JSONValue] = [
            "type": partial ? j(["object", "null"]) : j("object"),
            "properties": .object(["kind": .object(["enum": .array(kinds.map { .string($0) }),
                                                    "description": j("The stage kind.")])]),
            "allOf": .array(kinds.map { kind in
                .object([
                    "if": .object(["type": j("object"), "properties": .object(["kind": .object(["const": .string(kind)])]),
                                   "required": j(["kind"])]),
                    "then": ref(partial ? "stage-\(kind)-patch" : "stage-\(kind)"),
                ])
            }),
        ]
        if !partial { schema["required"] = j(["kind"]) }
        return .object(schema)
    }

    /// One kind: its fields, `additionalProperties: false`; required fields
    /// only when `partial` is false (a child spec may restate a few keys).
    private static func kindSchema(_ kind: StageKindSchema, partial: Bool) -> JSONValue {
        var object = objectSchema(kind.fields, partial: partial)
        object["description"] = .string(kind.summary)
        var properties = object["properties"]?.objectValue ?? [:]
        properties["kind"] = .object(["const": .string(kind.name)])
        properties["resources"] = ref("resources")
        object["properties"] = .object(properties)
        return .object(object)
    }

    /// A `resources:` block: what a batch scheduler gives a task (never part of a key).
    static func resourcesSchema() -> JSONValue {
        let amount = JSONValue.object(["type": j(["string", "integer"])])
        let text = JSONValue.object(["type": j("string"), "minLength": .int(1)])
        return .object([
            "type": j(["object", "null"]), "additionalProperties": .bool(false),
            "description": j("What a batch scheduler (--executor slurm) gives each task; not part of any key."),
            "properties": .object([
                "cpus": .object(["type": j("integer"), "minimum": .int(1)]), "gpus": .object(["type": j("integer"), "minimum": .int(1)]),
                "mem": amount, "max_mem": amount, "time": amount, "max_time": amount,
                "gres": text, "partition": text, "account": text, "qos": text,
                "extra": .object(["type": j("array"), "items": .object(["type": j("string"), "pattern": j("^-")])]),
            ]),
        ])
    }

    private static func dataSourceSchema(_ registry: KindRegistry) -> JSONValue {
        var alternatives: [JSONValue] = [
            .object(["type": j("string"), "description": j("A file or directory, relative to the spec.")]),
            .object(["type": j("null"), "description": j("Deletes an inherited data source.")]),
            .object([
                "type": j("object"), "required": j(["path"]), "additionalProperties": .bool(false),
                "properties": .object(["path": .object(["type": j("string"), "description": j("A file or directory, relative to the spec.")])]),
            ]),
        ]
        alternatives += registry.dataGenerators.keys.sorted().map { ref("generator-\($0)") }
        return .object(["oneOf": .array(alternatives)])
    }

    private static func generatorSchema(_ generator: StageKindSchema) -> JSONValue {
        var options = objectSchema(generator.fields, partial: false)
        options["type"] = j(["object", "null"])
        options["description"] = .string(generator.summary)
        return .object([
            "type": j("object"), "required": .array([.string(generator.name)]), "additionalProperties": .bool(false),
            "properties": .object([generator.name: .object(options)]),
        ])
    }

    static func ref(_ definition: String) -> JSONValue { .object(["$ref": .string("#/$defs/\(definition)")]) }
}

/// Short JSON literals for the schema builders.
func j(_ text: String) -> JSONValue { .string(text) }
func j(_ items: [String]) -> JSONValue { .array(items.map(JSONValue.string)) }

extension SchemaGenerator {
}
