import PipeCore

extension SpecLoadSession {
    /// Checks what a command stage turns into paths: each of `outs` is a
    /// path inside the task's work directory (and later under `runs/`), each
    /// `foreach` item names a task (`stage[item]`) and a folder of the stage's
    /// output; `metrics` must be one of `outs`. See `SpecPaths.escapeProblem`.
    mutating func checkCommandPaths(_ stage: StageSpec) {
        let outs = checkOuts(stage)
        checkItems(stage)
        if let metrics = stage.config["metrics"]?.stringValue, let outs, !outs.contains(SpecPaths.withoutDotSlash(metrics)) {
            let hint = closestMatch(to: metrics, in: outs).map { "; did you mean '\($0)'?" } ?? "; add it to outs"
            report("'\(stage.name).metrics': '\(metrics)' is not one of outs\(hint)", at: stage.location(of: "metrics"))
        }
    }

    /// The outs, normalized; nil when absent. Reports escaping, repeated and nested outs.
    private mutating func checkOuts(_ stage: StageSpec) -> [String]? {
        guard let values = stage.config["outs"]?.arrayValue else { return nil }
        var accepted: [(path: String, index: Int)] = []
        for (index, value) in values.enumerated() {
            guard let out = value.stringValue else { continue }
            let location = stage.location(of: "outs.\(index)")
            if let problem = SpecPaths.escapeProblem(out, allowsDotSlash: true) {
                report("'\(stage.name).outs': output '\(out)' \(problem); outputs are paths inside the task's work directory",
                       at: location)
                continue
            }
            let path = SpecPaths.withoutDotSlash(out)
            if let other = accepted.first(where: { $0.path == path || path.hasPrefix($0.path + "/") || $0.path.hasPrefix(path + "/") }) {
                if values[other.index] == value { continue }  // the same string: reported as a repeat of the list
                let relation = other.path == path ? "repeats" : "overlaps"
                report("'\(stage.name).outs': output '\(out)' \(relation) '\(values[other.index].display)'; "
                       + "list each file or directory once", at: location)
                continue
            }
            accepted.append((path, index))
        }
        return accepted.map(\.path)
    }

    /// Reports items whose task name could not be a folder of its own, or
    /// that name the same task as another item (`[1, "1"]`).
    private mutating func checkItems(_ stage: StageSpec) {
        guard let items = stage.config["foreach"]?.arrayValue else { return }
        // Earlier items by task name, and by every folder that contains one
        // ("a" for "a/b"): a dictionary look-up each, so 100,000 items check in linear time.
        var byName: [String: Int] = [:]
        var byFolder: [String: Int] = [:]
        for (index, item) in items.enumerated() {
            let name = item.display
            let location = stage.location(of: "foreach.\(index)")
            if let problem = SpecPaths.escapeProblem(name) {
                report("'\(stage.name).foreach': item '\(name)' \(problem); an item names task "
                       + "'\(stage.name)[\(name)]' and a folder of its output: use a plain name", at: location)
                continue
            }
            let folders = Self.enclosingFolders(of: name)
            let clash = ([byName[name], byFolder[name]] + folders.map { byName[$0] }).compactMap { $0 }.min()
            if let other = clash {
                if items[other] == item { continue }  // the same value: reported as a repeat of the list
                let what = items[other].display == name ? "gives the same task name '\(stage.name)[\(name)]' as"
                    : "would share a folder with"
                report("'\(stage.name).foreach': item \(shape(item)) \(what) item \(other) (\(shape(items[other]))); "
                       + "make the items distinct", at: location)
                continue
            }
            byName[name] = index
            for folder in folders where byFolder[folder] == nil { byFolder[folder] = index }
        }
    }

    /// "a" and "a/b" for "a/b/c": the folders a task name's folder sits in.
    private static func enclosingFolders(of name: String) -> [String] {
        var folders: [String] = []
        var index = name.startIndex
        while let slash = name[index...].firstIndex(of: "/") {
            folders.append(String(name[..<slash]))
            index = name.index(after: slash)
        }
        return folders
    }

    private func shape(_ value: JSONValue) -> String { String(decoding: value.canonicalData, as: UTF8.self) }
}
