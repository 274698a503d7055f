import Foundation
import PipeCore
import PipeSpec
import PipeStages

/// The versions between two pipelines that say which of their differences
/// moved the score (`pipe ablate A B`). Variables come from the values that
/// differ (`ValueChange`, as `pipe diff` lists them); a difference that
/// changes no stage's key (the one rule `pipe diff` and `pipe plan` share,
/// `SpecComparison`) is listed as inert and not ablated. Each version is an
/// ordinary spec file under `directory` that extends A or B.
public struct Ablation: Sendable {
    /// One version to run: which variables are at B's value, and its spec.
    public struct Version: Sendable {
        public var name: String
        /// Per variable, whether it has B's value.
        public var on: [Bool]
        /// The spec file: A's or B's own, or a derived one under `directory`.
        public var file: URL
        /// The spec it extends (A or B); itself for A or B.
        public var base: URL
        /// The values it sets over `base` (dotted paths; nil deletes); empty for A or B.
        public var values: [(path: String, value: JSONValue?)] = []
        public var description = ""
        /// `--set` overrides applied to it after `extends`, as to every version of the ablation.
        public var overrides: [String] = []

        /// The derived spec's text; nil for A or B themselves.
        public var text: String? {
            values.isEmpty ? nil : AblationSpecFile.text(name: name, base: base.path, description: description, values: values)
        }

        /// This version with its training seed at `seed` (the value at
        /// `path`): a derived spec named `NAME_seedN` in `directory`.
        public func seeded(_ seed: Int, path: String, directory: URL) -> Version {
            let name = "\(self.name)_seed\(seed)"
            return Version(name: name, on: on, file: directory.appendingPathComponent("\(name).yaml"),
                           base: base, values: values + [(path, .int(seed))],
                           description: (values.isEmpty ? "\(self.name)" : description) + " with \(path) \(seed)",
                           overrides: overrides)
        }

        /// The version's spec. A derived one is read as if it sat beside its
        /// base file, so the paths it inherits (path data, a command's deps)
        /// resolve as they do for the base; its copy under `.pipe/ablations/` is for reading.
        public func load(kinds: StageRegistry) throws -> PipelineSpec {
            try Ablation.load(text: text, name: name, base: base, overrides: overrides, kinds: kinds)
        }
    }

    public var a: PipelineSpec
    public var b: PipelineSpec
    public var design: AblationDesign
    public var variables: [AblationVariable]
    /// Differences that change no stage's key: not ablated.
    public var inert: [ValueChange]
    public var versions: [Version]
    public var contrasts: [AblationContrast]
    /// Where derived specs are written.
    public var directory: URL

    /// Derives the versions. `chosen` are `--vars` paths (nil: every
    /// difference that matters, grouped as `AblationVariable` says);
    /// `directory` is where `write` puts the derived specs; `overrides`
    /// (`--set`, already applied to `a` and `b`) apply to every version.
    /// Throws `AblationError` for a request that cannot be met.
    public init(_ a: PipelineSpec, _ b: PipelineSpec, design: AblationDesign, chosen: [String]?,
                directory: URL, overrides: [String] = [], kinds: StageRegistry) throws {
        self.a = a
        self.b = b
        self.design = design
        self.directory = directory
        let changes = ValueChange.between(a.resolved, b.resolved)
        guard !changes.isEmpty else { throw AblationError("'\(a.name)' and '\(b.name)' have no value that differs; nothing to ablate") }
        let variables: [AblationVariable]
        if let chosen {
            variables = try AblationVariable.chosen(chosen, from: changes)
            inert = []
        } else {
            let grouped = try Self.grouped(changes, a: a, overrides: overrides, kinds: kinds)
            (variables, inert) = (grouped.variables, grouped.inert)
            guard !variables.isEmpty else {
                throw AblationError("no difference between '\(a.name)' and '\(b.name)' changes a stage's result; nothing to ablate")
            }
        }
        self.variables = variables
        let k = variables.count
        if design == .factorial && k > AblationDesign.factorialLimit {
            throw AblationError("--factorial with \(k) variables needs 2^\(k) = \(1 << k) versions; the limit is "
                                + "\(AblationDesign.factorialLimit) variables (\(1 << AblationDesign.factorialLimit) versions): "
                                + "pick some with --vars, or drop --factorial for one at a time")
        }
        let cells = design.cells(variables: k)
        let labels = AblationVariable.labels(variables)
        let covered = variables.reduce(0) { $0 + $1.changes.count } == changes.count
        versions = cells.map { on in
            var version = Self.version(on: on, a: a, b: b, fromB: design == .leaveOneOut, covered: covered, variables: variables,
                                       labels: labels, directory: directory)
            version.overrides = overrides
            return version
        }
        contrasts = design.contrasts(names: variables.map(\.path), cells: cells)
    }

    /// Makes the ablation's folder (given to `init`) and writes the derived
    /// specs of `written` (default: the versions; `pipe ablate` passes every
    /// run, seed copies included) to their files there.
    public func write(_ written: [Version]? = nil) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for version in written ?? versions {
            guard let text = version.text else { continue }
            try Data(text.utf8).write(to: version.file, options: .atomic)
        }
    }

    /// One version: A or B itself when it is one, else a spec extending A (or B with `fromB`).
    static func version(on: [Bool], a: PipelineSpec, b: PipelineSpec, fromB: Bool, covered: Bool,
                        variables: [AblationVariable], labels: [String], directory: URL) -> Version {
        if !fromB && !on.contains(true) || fromB && covered && !on.contains(true) {
            return Version(name: a.name, on: on, file: a.file, base: a.file)
        }
        if fromB && !on.contains(false) || !fromB && covered && !on.contains(false) {
            return Version(name: b.name, on: on, file: b.file, base: b.file)
        }
        let base = fromB ? b : a
        let picked = variables.indices.filter { on[$0] != fromB }
        let name = base.name + (fromB ? "_without_" : "_with_") + picked.map { labels[$0] }.joined(separator: "_and_")
        let values = picked.flatMap { variables[$0].changes.map { (path: $0.path, value: fromB ? $0.old : $0.new) } }
        let description = "\(base.name) with \(picked.map { variables[$0].path }.joined(separator: ", ")) "
            + "as in \(fromB ? a.name : b.name) (pipe ablate)"
        return Version(name: name, on: on, file: directory.appendingPathComponent("\(name).yaml"), base: base.file,
                       values: values, description: description)
    }

    /// Loads spec `text` (nil: the file `base` itself) as the file `name`.yaml beside `base`.
    static func load(text: String?, name: String, base: URL, overrides: [String], kinds: StageRegistry) throws -> PipelineSpec {
        guard let text else { return try SpecLoader(registry: kinds.kinds).load(file: base, overrides: overrides) }
        let here = base.deletingLastPathComponent().appendingPathComponent("\(name).yaml").standardizedFileURL
        let reader = SpecFileReader(read: { url in
            if url.standardizedFileURL == here { return text }
            return try SpecFileReader.disk.read(url)
        }, checksPaths: true)
        return try SpecLoader(registry: kinds.kinds, reader: reader).load(file: here, overrides: overrides)
    }

    /// One variable per difference, in `ValueChange` order (params, data,
    /// stages); a difference A + another already makes joins that other's
    /// variable; one that changes no stage's key when applied alone is inert.
    static func grouped(_ changes: [ValueChange], a: PipelineSpec, overrides: [String],
                        kinds: StageRegistry) throws -> (variables: [AblationVariable], inert: [ValueChange]) {
        var variables: [AblationVariable] = [], inert: [ValueChange] = [], taken = Set<String>()
        for change in changes where !taken.contains(change.path) {
            let name = "\(a.name)_probe"
            let text = AblationSpecFile.text(name: name, base: a.file.path, description: "probe", values: [(change.path, change.new)])
            let derived: PipelineSpec
            do {
                derived = try load(text: text, name: name, base: a.file, overrides: overrides, kinds: kinds)
            } catch {
                throw AblationError("'\(change.path)' cannot be applied alone to '\(a.name)' (\(error)); "
                                    + "switch it together with what it needs: --vars with a path that covers both")
            }
            let implied = Set(ValueChange.between(a.resolved, derived.resolved).map { "\($0.path)=\($0.new?.display ?? "")" })
            let group = changes.filter { !taken.contains($0.path) && implied.contains("\($0.path)=\($0.new?.display ?? "")") }
            let members = group.isEmpty ? [change] : group
            taken.formUnion(members.map(\.path))
            let effect = SpecComparison(a, derived, registry: kinds)
            if effect.changedStages.contains(where: \.reruns) {
                variables.append(AblationVariable(path: change.path, changes: members))
            } else {
                inert += members
            }
        }
        return (variables, inert)
    }
}
