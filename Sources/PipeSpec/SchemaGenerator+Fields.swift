import PipeCore

extension SchemaGenerator {
    /// An object with `fields`: properties, `additionalProperties: false`,
    /// and (unless `partial`) the required fields.
    static func objectSchema(_ fields: [FieldSchema], partial: Bool) -> [String: JSONValue] {
        var properties: [String: JSONValue] = [:]
        for field in fields { properties[field.name] = fieldSchema(field) }
        var object: [String: JSONValue] = [
            "type": j("object"), "properties": .object(properties), "additionalProperties": .bool(false),
        ]
        let required = fields.filter { $0.required && $0.defaultValue == nil }.map { JSONValue.string($0.name) }
        if !partial, !required.isEmpty { object["required"] = .array(required) }
        return object
    }

    /// A field: its type's schema with the summary as description and the default.
    static func fieldSchema(_ field: FieldSchema) -> JSONValue {
        var schema = typeSchema(field.type).objectValue ?? [:]
        schema["description"] = .string(field.summary)
        if let defaultValue = field.defaultValue { schema["default"] = defaultValue }
        return .object(schema)
    }

    /// The schema of a value of `type`. Non-string types also accept a
    /// `${params.NAME}` string (the loader substitutes it and checks the
    /// type) and `null` (which deletes an inherited key).
    static func typeSchema(_ type: FieldType) -> JSONValue {
        switch type {
        case .string, .reference, .dependency: return .object(["type": j("string")])
        case .any: return .object([:])
        case .anyOf(let alternatives): return .object(["anyOf": .array(alternatives.map(typeSchema))])
        case .references:
            return .object(["anyOf": .array([.object(["type": j("string")]),
                                             .object(["type": j("array"), "items": .object(["type": j("string")])])])])
        default: return orInterpolation(strictSchema(type))
        }
    }

    private static func strictSchema(_ type: FieldType) -> JSONValue {
        switch type {
        case .integer(let min, let max): return bounded("integer", min.map { .int($0) }, max.map { .int($0) })
        case .number(let min, let max): return bounded("number", min.map { .double($0) }, max.map { .double($0) })
        case .boolean: return .object(["type": j("boolean")])
        case .oneOf(let values): return .object(["enum": .array(values.map { .string($0) })])
        case .array(let element): return .object(["type": j("array"), "items": typeSchema(element)])
        case .set(let element): return .object(["type": j("array"), "items": typeSchema(element), "uniqueItems": .bool(true)])
        case .object(let fields): return .object(objectSchema(fields, partial: false))
        case .map(let value): return .object(["type": j("object"), "additionalProperties": typeSchema(value)])
        case .dependencies: return .object(["type": j("array"), "items": .object(["type": j("string")]), "uniqueItems": .bool(true)])
        default: return typeSchema(type)
        }
    }

    private static func bounded(_ type: String, _ min: JSONValue?, _ max: JSONValue?) -> JSONValue {
        var schema: [String: JSONValue] = ["type": .string(type)]
        if let min { schema["minimum"] = min }
        if let max { schema["maximum"] = max }
        return .object(schema)
    }

    private static func orInterpolation(_ schema: JSONValue) -> JSONValue {
        .object(["anyOf": .array([schema, ref("interpolation"), .object(["type": j("null")])])])
    }
}
