import PipeCore

/// The keys of a `resources:` block.
let resourceKeys = ["cpus", "mem", "time", "gpus", "gres", "partition", "account", "qos", "extra", "max_time", "max_mem"]

extension SpecLoadSession {
    /// Validates a `resources:` block (on a stage or in `settings`), every problem located.
    mutating func loadResources(_ node: SpecNode?, owner: String) -> StageResources {
        var resources = StageResources()
        guard let node, !node.isNull else { return resources }
        guard let entries = node.entries else {
            report("'\(owner).resources' must be a mapping (cpus, mem, time, ...), got \(node.shapeDescription)",
                   at: node.location)
            return resources
        }
        for entry in entries {
            let value = entry.value
            let path = "'\(owner).resources.\(entry.key)'"
            func positive() -> Int? {
                if let number = value.scalar?.intValue, number > 0, number <= 1_000_000 { return number }
                report("\(path) must be a positive whole number, got \(value.scalar.map { "\($0)" } ?? value.shapeDescription)",
                       at: value.location)
                return nil
            }
            func text() -> String? {
                if let string = value.string, !string.isEmpty, !string.contains(where: { $0.isNewline || $0 == "\0" }) {
                    return string
                }
                report("\(path) must be a non-empty one-line string, got \(value.shapeDescription)", at: value.location)
                return nil
            }
            func memory() -> Int? {
                let written = value.string ?? value.scalar?.intValue.map(String.init)
                if let written, let mb = StageResources.parseMemory(written) { return mb }
                report("\(path): cannot read '\(written ?? value.shapeDescription)' as memory; write e.g. 4G, 512M or "
                       + "a number of MiB", at: value.location)
                return nil
            }
            func time() -> Int? {
                let written = value.string ?? value.scalar?.intValue.map(String.init)
                if let written, let minutes = StageResources.parseTime(written) { return minutes }
                report("\(path): cannot read '\(written ?? value.shapeDescription)' as a time limit; write minutes "
                       + "(90), 45m, 4h, 2d or H:MM:SS", at: value.location)
                return nil
            }
            switch entry.key {
            case "cpus": resources.cpus = positive()
            case "gpus": resources.gpus = positive()
            case "mem": resources.memMB = memory()
            case "max_mem": resources.maxMemMB = memory()
            case "time": resources.minutes = time()
            case "max_time": resources.maxMinutes = time()
            case "gres": resources.gres = text()
            case "partition": resources.partition = text()
            case "account": resources.account = text()
            case "qos": resources.qos = text()
            case "extra":
                guard let items = value.items else {
                    report("\(path) must be a list of sbatch arguments, one per item (e.g. [--constraint=avx512]), "
                           + "got \(value.shapeDescription)", at: value.location)
                    continue
                }
                var arguments: [String] = []
                for item in items {
                    guard let argument = item.string, argument.hasPrefix("-"),
                          !argument.contains(where: { $0.isNewline || $0 == "\0" }) else {
                        report("\(path): each item must be one sbatch option starting with '-', "
                               + "got \(item.scalar.map { "'\($0)'" } ?? item.shapeDescription)", at: item.location)
                        continue
                    }
                    if let reason = StageResources.reservedOption(argument) {
                        report("\(path): '\(argument)' \(reason)", at: item.location)
                        continue
                    }
                    arguments.append(argument)
                }
                resources.extra = arguments
            default:
                report(unknownKey(entry.key, in: "resource", place: "in '\(owner).resources'", candidates: resourceKeys),
                       at: entry.keyLocation)
            }
        }
        return resources
    }

    /// Validates `settings:` (`executor`, `resources`).
    mutating func loadSettings(_ node: SpecNode?) -> PipelineSettings {
        var settings = PipelineSettings()
        guard let node, !node.isNull else { return settings }
        guard let entries = node.entries else {
            report("'settings' must be a mapping (executor, resources), got \(node.shapeDescription)", at: node.location)
            return settings
        }
        for entry in entries {
            switch entry.key {
            case "executor":
                if let name = entry.value.string, PipelineSettings.executors.contains(name) {
                    settings.executor = name
                } else {
                    let written = entry.value.string ?? entry.value.shapeDescription
                    report(unknownKey(written, in: "executor", candidates: PipelineSettings.executors),
                           at: entry.value.location)
                }
            case "resources":
                settings.resources = loadResources(entry.value, owner: "settings")
            default:
                report(unknownKey(entry.key, in: "key", place: "in 'settings'", candidates: ["executor", "resources"]),
                       at: entry.keyLocation)
            }
        }
        return settings
    }
}
