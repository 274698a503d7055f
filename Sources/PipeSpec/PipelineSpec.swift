import Foundation
import PipeCore

/// A fully resolved pipeline: `extends` merged, `--set` applied, `${...}`
/// interpolated, every stage validated against its kind's schema and every
/// reference checked. This is what the planner and the engine consume.
public struct PipelineSpec: Sendable {
    /// The `pipeline:` name (the file stem when absent), e.g. `v54`.
    public var name: String
    /// The spec file, absolute.
    public var file: URL
    /// Paths in the spec are relative to this directory (the spec's own).
    public var baseDirectory: URL
    /// The pipeline this one `extends`, nearest first (`[v43, v19, ...]`).
    public var ancestors: [PipelineAncestor]
    public var description: String?
    /// The resolved top-level `params` (an object, possibly empty).
    public var params: JSONValue
    /// Data sources in the order written.
    public var data: [DataSourceSpec]
    /// Stages in the order written (not necessarily topological).
    public var stages: [StageSpec]
    /// The whole resolved document, as `pipe show` prints it.
    public var resolved: JSONValue
    /// `settings:`: the executor and default resources (never part of a key).
    public var settings: PipelineSettings

    public init(name: String, file: URL, baseDirectory: URL, ancestors: [PipelineAncestor], description: String?,
                params: JSONValue, data: [DataSourceSpec], stages: [StageSpec], resolved: JSONValue,
                settings: PipelineSettings = PipelineSettings()) {
        self.name = name
        self.file = file
        self.baseDirectory = baseDirectory
        self.ancestors = ancestors
        self.description = description
        self.params = params
        self.data = data
        self.stages = stages
        self.resolved = resolved
        self.settings = settings
    }

    /// The stage named `name`, if any.
    public func stage(_ name: String) -> StageSpec? { stages.first { $0.name == name } }
}

/// A pipeline named by `extends`.
public struct PipelineAncestor: Sendable, Hashable {
    public var name: String
    public var file: URL

    public init(name: String, file: URL) {
        self.name = name
        self.file = file
    }
}

/// One entry of `data:`. Referenced from stages as `data.<name>`.
public struct DataSourceSpec: Sendable {
    public enum Source: Sendable, Hashable {
        /// A file or directory on disk, hashed by content (absolute URL).
        case path(URL)
        /// A deterministic generator (`synthetic`, `synthetic-external`) and its options.
        case generator(kind: String, options: JSONValue)
    }

    public var name: String
    public var source: Source
    public var location: SourceLocation
    /// Locations of a generator's options by dotted path (`compression`), as for a stage.
    public var locations: [String: SourceLocation]

    public init(name: String, source: Source, location: SourceLocation, locations: [String: SourceLocation] = [:]) {
        self.name = name
        self.source = source
        self.location = location
        self.locations = locations
    }

    /// `data.<name>`, the form stages use to refer to it.
    public var reference: String { "data.\(name)" }
}

/// A reference from a stage to something it reads.
public enum Reference: Sendable, Hashable, CustomStringConvertible {
    /// `data.<name>`
    case data(String)
    /// another stage's name
    case stage(String)
    /// a file or directory relative to the spec (command `deps` only), as written
    case path(String)

    public var description: String {
        switch self {
        case .data(let name): return "data.\(name)"
        case .stage(let name): return name
        case .path(let path): return path
        }
    }
}

/// One stage as written and resolved. `config` holds every key of the stage
/// except `kind`, already validated against the kind's schema, with defaults
/// filled in, so stage implementations read it without re-validating.
public struct StageSpec: Sendable {
    public var name: String
    public var kind: String
    public var config: JSONValue
    /// Every reference the stage reads, in the order its fields name them.
    public var inputs: [Reference]
    public var location: SourceLocation
    /// Locations of the stage's keys by dotted path (`optimizer.lr`), so errors
    /// found while running can still point at the spec.
    public var locations: [String: SourceLocation]
    /// `resources:`: what a batch scheduler should give its tasks; not in `config`, so never in a key.
    public var resources: StageResources

    public init(name: String, kind: String, config: JSONValue, inputs: [Reference], location: SourceLocation,
                locations: [String: SourceLocation] = [:], resources: StageResources = StageResources()) {
        self.name = name
        self.kind = kind
        self.config = config
        self.inputs = inputs
        self.location = location
        self.locations = locations
        self.resources = resources
    }

    /// The location of `path` in the spec, falling back to the stage's own.
    public func location(of path: String) -> SourceLocation { locations[path] ?? location }
}
