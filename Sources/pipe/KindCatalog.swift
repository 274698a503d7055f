import PipeSpec

/// Every stage kind and data generator the CLI knows: the loader validates
/// specs against it and `pipe schema` prints its JSON Schema.
enum KindCatalog {
    static let registry = KindRegistry(stageKinds: [CommandKind.schema])
}
