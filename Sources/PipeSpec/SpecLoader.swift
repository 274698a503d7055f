import Foundation
import PipeCore

/// Turns a spec file into a validated `PipelineSpec`: YAML (libyaml) with
/// locations, `extends` chains, `--set` overrides, `${params...}`
/// interpolation, data sources, stage schemas, references and the stage DAG.
public struct SpecLoader: Sendable {
    /// The stage kinds and data generators specs may use.
    public let registry: KindRegistry
    /// Where spec text comes from (disk, or a git revision for `pipe diff`).
    public let reader: SpecFileReader

    public init(registry: KindRegistry, reader: SpecFileReader = .disk) {
        self.registry = registry
        self.reader = reader
    }

    /// Loads, resolves and validates a spec; throws `Diagnostics` holding EVERY
    /// problem found (a YAML syntax error stops the file it is in). Locations
    /// name the spec as `file` was given (relative stays relative).
    /// `overrides` are `key.path=value` strings (`params.size=512`, `train.lr=5e-4`).
    public func load(file: URL, overrides: [String] = []) throws -> PipelineSpec {
        var session = SpecLoadSession(registry: registry, reader: reader)
        return try session.load(file: file, overrides: overrides)
    }
}

/// The state of one `load`: every diagnostic found so far.
struct SpecLoadSession {
    let registry: KindRegistry
    let reader: SpecFileReader
    var diagnostics: [Diagnostic] = []

    init(registry: KindRegistry, reader: SpecFileReader) {
        self.registry = registry
        self.reader = reader
    }

    mutating func report(_ message: String, at location: SourceLocation?) {
        diagnostics.append(Diagnostic(message, at: location))
    }

    mutating func load(file: URL, overrides: [String]) throws -> PipelineSpec {
        let url = file.standardizedFileURL
        guard let chain = loadChain(url: url, display: SpecPaths.display(file), via: nil, visiting: []) else {
            throw Diagnostics(Self.sorted(diagnostics))
        }
        let root = applyOverrides(overrides, to: chain.root)
        checkTopLevel(root)
        let base = url.deletingLastPathComponent()
        var interpolator = Interpolator(params: root["params"])
        let params = interpolator.resolveParams().json
        let dataNode = root["data"].map { interpolator.interpolate($0) }
        let stagesNode = root["stages"].map { interpolator.interpolateStages($0, registry: registry) }
        let names = declaredNames(data: dataNode, stages: stagesNode)
        let scope = ReferenceScope(stageNames: names.stages, dataNames: names.data, base: base, reader: reader)
        let data = loadDataSources(dataNode, scope: scope)
        let stages = loadStages(stagesNode, scope: scope)
        let settings = loadSettings(root["settings"])
        checkAcyclic(stages)
        // A value whose interpolation failed is reported once, not again as a type error.
        diagnostics.removeAll { $0.location.map(interpolator.failedLocations.contains) == true }
        diagnostics += interpolator.diagnostics
        guard diagnostics.isEmpty else { throw Diagnostics(Self.sorted(diagnostics)) }
        let name = pipelineName(root, url: url)
        let resolved = resolvedDocument(name: name, root: root, params: params, data: data, stages: stages,
                                         settings: settings)
        return PipelineSpec(name: name, file: url, baseDirectory: base, ancestors: chain.ancestors,
                            description: root["description"]?.string, params: params, data: data.map(\.spec),
                            stages: stages, resolved: resolved, settings: settings)
    }

    /// Diagnostics in reading order: files in order of first mention, then
    /// line and column; problems without a location first.
    static func sorted(_ diagnostics: [Diagnostic]) -> [Diagnostic] {
        var fileRank: [String: Int] = [:]
        for diagnostic in diagnostics {
            if let file = diagnostic.location?.file, fileRank[file] == nil { fileRank[file] = fileRank.count }
        }
        let rank = { (d: Diagnostic) -> (Int, Int, Int) in
            guard let location = d.location else { return (-1, 0, 0) }
            return (fileRank[location.file] ?? 0, location.line, location.column)
        }
        return diagnostics.enumerated().sorted { a, b in
            let (ra, rb) = (rank(a.element), rank(b.element))
            return ra != rb ? ra < rb : a.offset < b.offset
        }.map(\.element)
    }

    /// `pipeline:` when given, else the file stem.
    func pipelineName(_ root: SpecNode, url: URL) -> String {
        if let name = root["pipeline"]?.scalar, !name.isNull { return name.display }
        return url.deletingPathExtension().lastPathComponent
    }
}
