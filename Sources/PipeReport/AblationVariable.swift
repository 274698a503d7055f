import PipeCore

/// One variable of an ablation (`pipe ablate A B`): a set of the values that
/// differ between A and B (`ValueChange`, the list `pipe diff` prints) that
/// are switched from A's to B's value together. By default each difference
/// is its own variable (a value B adds whole, such as a `lookahead` block,
/// is one difference); a difference that another one already implies (a
/// stage value interpolated from a changed `params` value) joins that
/// variable; `--vars PATH` makes every difference at or under PATH one variable.
public struct AblationVariable: Sendable, Equatable {
    /// The dotted path that names it (`train.optimizer.lr`).
    public var path: String
    /// What it switches: A's values (`old`) to B's (`new`).
    public var changes: [ValueChange]

    public init(path: String, changes: [ValueChange]) {
        self.path = path
        self.changes = changes
    }

    /// Whether `change` is at or under `path`.
    public static func covers(_ path: String, _ change: ValueChange) -> Bool {
        change.path == path || change.path.hasPrefix(path + ".")
    }

    /// The variables `--vars` names, in the order given; an entry that covers
    /// no difference is an error naming the differences there are.
    public static func chosen(_ paths: [String], from changes: [ValueChange]) throws -> [AblationVariable] {
        var taken = Set<String>()
        return try paths.map { path in
            let covered = changes.filter { covers(path, $0) && !taken.contains($0.path) }
            guard !covered.isEmpty else {
                throw AblationError("--vars '\(path)' names no value that differs; the differences are: "
                                    + changes.map(\.path).joined(separator: ", "))
            }
            taken.formUnion(covered.map(\.path))
            return AblationVariable(path: path, changes: covered)
        }
    }

    /// A short name for version names: the last path component, or the
    /// whole path when another variable ends alike; only letters, digits,
    /// `_`, `.` and `-` (a pipeline name's characters).
    public static func labels(_ variables: [AblationVariable]) -> [String] {
        let lasts = variables.map { String($0.path.split(separator: ".").last ?? Substring($0.path)) }
        return zip(variables, lasts).map { variable, last in
            let label = lasts.filter { $0 == last }.count > 1 ? variable.path : last
            return String(label.map { $0.isLetter || $0.isNumber || "_.-".contains($0) ? $0 : "-" })
        }
    }
}

/// A problem with an ablation's request (`pipe ablate` prints it and exits 2).
public struct AblationError: Error, CustomStringConvertible, Sendable {
    public var description: String

    public init(_ description: String) { self.description = description }
}
