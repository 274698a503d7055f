import Foundation
import PipeCore

/// What a task asks a batch scheduler for (`resources:` on a stage, defaults
/// in `settings.resources`). Never part of any key: the same task computes the
/// same bytes whatever it was given. Every field is optional so a stage's
/// block can be laid over the settings' defaults and those over per-kind ones.
public struct StageResources: Sendable, Hashable, Codable {
    /// CPUs for the task (`--cpus-per-task`); also the threads it may use.
    public var cpus: Int?
    /// Memory in MiB (`--mem`), written `4G`, `512M` or a number of MiB.
    public var memMB: Int?
    /// Wall-time limit in minutes (`--time`), written `90`, `45m`, `4h`, `1d` or `H:MM:SS`.
    public var minutes: Int?
    /// GPUs (`--gpus`).
    public var gpus: Int?
    /// Generic resources (`--gres`), e.g. `gpu:a100:1`.
    public var gres: String?
    public var partition: String?
    public var account: String?
    public var qos: String?
    /// More `sbatch` arguments, one per item (`--constraint=avx512`).
    public var extra: [String]?
    /// When set, a task that hit its time limit is resubmitted with twice the time, up to this many minutes.
    public var maxMinutes: Int?
    /// When set, a task that ran out of memory is resubmitted with twice the memory, up to this many MiB.
    public var maxMemMB: Int?

    public init(cpus: Int? = nil, memMB: Int? = nil, minutes: Int? = nil, gpus: Int? = nil, gres: String? = nil,
                partition: String? = nil, account: String? = nil, qos: String? = nil, extra: [String]? = nil,
                maxMinutes: Int? = nil, maxMemMB: Int? = nil) {
        self.cpus = cpus
        self.memMB = memMB
        self.minutes = minutes
        self.gpus = gpus
        self.gres = gres
        self.partition = partition
        self.account = account
        self.qos = qos
        self.extra = extra
        self.maxMinutes = maxMinutes
        self.maxMemMB = maxMemMB
    }

    /// These resources with every field they leave unset taken from `defaults`.
    public func over(_ defaults: StageResources) -> StageResources {
        StageResources(cpus: cpus ?? defaults.cpus, memMB: memMB ?? defaults.memMB, minutes: minutes ?? defaults.minutes,
                       gpus: gpus ?? defaults.gpus, gres: gres ?? defaults.gres, partition: partition ?? defaults.partition,
                       account: account ?? defaults.account, qos: qos ?? defaults.qos, extra: extra ?? defaults.extra,
                       maxMinutes: maxMinutes ?? defaults.maxMinutes, maxMemMB: maxMemMB ?? defaults.maxMemMB)
    }

    /// The block as written in a spec (`mem: 4096M`), for `pipe show`.
    public var json: JSONValue {
        var object: [String: JSONValue] = [:]
        if let cpus { object["cpus"] = .int(cpus) }
        if let memMB { object["mem"] = .string("\(memMB)M") }
        if let minutes { object["time"] = .string(Self.slurmTime(minutes)) }
        if let gpus { object["gpus"] = .int(gpus) }
        if let gres { object["gres"] = .string(gres) }
        if let partition { object["partition"] = .string(partition) }
        if let account { object["account"] = .string(account) }
        if let qos { object["qos"] = .string(qos) }
        if let extra { object["extra"] = .array(extra.map(JSONValue.string)) }
        if let maxMinutes { object["max_time"] = .string(Self.slurmTime(maxMinutes)) }
        if let maxMemMB { object["max_mem"] = .string("\(maxMemMB)M") }
        return .object(object)
    }

    /// Minutes as Slurm writes a time limit: `D-HH:MM:00` or `HH:MM:00`.
    public static func slurmTime(_ minutes: Int) -> String {
        let days = minutes / 1440, hours = minutes % 1440 / 60, rest = minutes % 60
        let clock = "\(hours < 10 ? "0" : "")\(hours):\(rest < 10 ? "0" : "")\(rest):00"
        return days > 0 ? "\(days)-\(clock)" : clock
    }

    /// Why `extra` may not carry `argument`, or nil when it may: options pipe sets
    /// itself to find, log and signal its jobs (sbatch takes the last value, so an
    /// extra one would hide the job from pipe), and those a resource field sets
    /// (pipe raises or changes them on retries).
    public static func reservedOption(_ argument: String) -> String? {
        let tracking = [("--job-name", "-J"), ("--output", "-o"), ("--error", "-e"), ("--signal", nil), ("--chdir", "-D"),
                        ("--array", "-a"), ("--wrap", nil), ("--parsable", nil), ("--wait", "-W"), ("--export", nil),
                        ("--exclude", "-x"), ("--test-only", nil), ("--comment", nil)]
        let fields = [("--cpus-per-task", "-c", "cpus"), ("--mem", nil, "mem"), ("--time", "-t", "time"),
                      ("--gpus", "-G", "gpus"), ("--gres", nil, "gres"), ("--partition", "-p", "partition"),
                      ("--account", "-A", "account"), ("--qos", "-q", "qos")]
        func matches(_ long: String, _ short: String?) -> Bool {
            argument == long || argument.hasPrefix(long + "=") || short.map { argument.hasPrefix($0) } == true
        }
        if tracking.contains(where: { matches($0.0, $0.1) }) {
            return "is set by pipe to follow its jobs and cannot be given in extra"
        }
        if let field = fields.first(where: { matches($0.0, $0.1) }) {
            return "is set by the resources field '\(field.2)'; use it instead of extra"
        }
        return nil
    }

    /// The largest memory a field accepts, in MiB (1 PiB).
    public static let maxMemMB = 1 << 30

    /// `4G`, `512M`, `2T` or a plain number of MiB, in MiB; nil if unreadable, not positive or above `maxMemMB`.
    public static func parseMemory(_ text: String) -> Int? {
        let trimmed = text.trimmingCharacters(in: .whitespaces).uppercased()
        let units: [Character: Int] = ["K": 0, "M": 1, "G": 1024, "T": 1024 * 1024]
        var digits = trimmed
        var factor = 1
        if let last = trimmed.last, let unit = units[last] {
            digits = String(trimmed.dropLast())
            if digits.hasSuffix("I") || digits.hasSuffix("B") { return nil }
            if unit == 0 { return Int(digits).flatMap { $0 >= 1024 && $0 / 1024 <= maxMemMB ? $0 / 1024 : nil } }
            factor = unit
        }
        // At most 1 PiB, so retries may double it without overflow.
        guard let value = Int(digits), value > 0, value <= maxMemMB / factor else { return nil }
        return value * factor
    }

    /// `90` (minutes), `45m`, `4h`, `2d`, `H:MM:SS`, `MM:SS` or `D-HH:MM:SS`, in whole minutes
    /// (seconds round up); nil if unreadable or not positive.
    public static func parseTime(_ text: String) -> Int? {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        if let last = trimmed.last, let factor = ["m": 1, "h": 60, "d": 1440][last] {
            guard let value = Int(trimmed.dropLast()), value > 0, value <= 1_000_000 else { return nil }
            return value * factor
        }
        var days = 0
        var clock = Substring(trimmed)
        if let dash = trimmed.firstIndex(of: "-") {
            guard let value = Int(trimmed[..<dash]), value >= 0, value <= 1_000_000 else { return nil }
            days = value
            clock = trimmed[trimmed.index(after: dash)...]
        }
        let parts = clock.split(separator: ":", omittingEmptySubsequences: false).map { Int($0) }
        guard !parts.isEmpty, parts.count <= 3, parts.allSatisfy({ $0 != nil && $0! >= 0 && $0! <= 1_000_000 }) else {
            return nil
        }
        let numbers = parts.map { $0! }
        let seconds: Int
        switch numbers.count {
        case 1: seconds = numbers[0] * 60
        case 2: seconds = numbers[0] * 60 + numbers[1]
        default: seconds = numbers[0] * 3600 + numbers[1] * 60 + numbers[2]
        }
        let total = days * 1440 + (seconds + 59) / 60
        return total > 0 && total <= 1_000_000 ? total : nil
    }
}

/// `settings:` of a spec: how it runs, never what it computes.
public struct PipelineSettings: Sendable, Hashable {
    /// `local` or `slurm`; nil when the spec does not say (local unless `--executor` does).
    public var executor: String?
    /// Resources for every stage that does not set its own.
    public var resources: StageResources

    public init(executor: String? = nil, resources: StageResources = StageResources()) {
        self.executor = executor
        self.resources = resources
    }

    /// The executors `settings.executor` and `--executor` accept.
    public static let executors = ["local", "slurm"]
}
