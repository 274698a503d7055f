import Foundation
import PipeCore
import PipeStages

/// The answer of `pipe ablate`: each variable's effect on the metric with a
/// bootstrap interval from the per-image contrasts, and a verdict.
public struct AblationEffects: Sendable {
    public struct Effect: Sendable {
        /// The variable's path, or an interaction's or the total's name.
        public var name: String
        public var role: AblationContrast.Role
        /// The mean over images of the per-image contrast (with no per-image
        /// values, the contrast of the versions' metrics).
        public var estimate: Double
        public var interval: ClosedRange<Double>?
        /// Images the interval resamples (those every version in the contrast scored).
        public var units: Int
        public var verdict: String
    }

    public var a: String
    public var b: String
    public var design: AblationDesign
    public var metric: MetricDeclaration
    public var bootstrap: PairedBootstrap
    public var versions: [VersionScore]
    public var effects: [Effect]
    /// Differences that change no stage's key, not ablated.
    public var inert: [String]

    /// The effects of `ablation` from its versions' scores (same order as its versions).
    public init(_ ablation: Ablation, scores: [VersionScore], metric: MetricDeclaration, bootstrap: PairedBootstrap) {
        self.init(a: ablation.a.name, b: ablation.b.name, design: ablation.design, contrasts: ablation.contrasts,
                  scores: scores, metric: metric, bootstrap: bootstrap, inert: ablation.inert.map(\.path))
    }

    /// The effects `contrasts` read from `scores` (indexed as the contrasts' weights).
    public init(a: String, b: String, design: AblationDesign, contrasts: [AblationContrast], scores: [VersionScore],
                metric: MetricDeclaration, bootstrap: PairedBootstrap, inert: [String] = []) {
        self.a = a
        self.b = b
        self.design = design
        self.metric = metric
        self.bootstrap = bootstrap
        self.inert = inert
        versions = scores
        effects = contrasts.map { Self.effect($0, scores: scores, metric: metric, bootstrap: bootstrap) }
    }

    /// One contrast's estimate and interval: per image, the weighted sum of
    /// the versions' scores on it; their mean; the bootstrap of that mean.
    static func effect(_ contrast: AblationContrast, scores: [VersionScore], metric: MetricDeclaration,
                       bootstrap: PairedBootstrap) -> Effect {
        // In version order, so the sums (and the interval) are the same bits in every process.
        let used = contrast.weights.filter { $0.value != 0 }.sorted { $0.key < $1.key }
        var ids: Set<String>?
        for (version, _) in used {
            let scored = Set(scores[version].units.keys)
            ids = ids.map { $0.intersection(scored) } ?? scored
        }
        let perImage = (ids ?? []).sorted().map { id in used.reduce(0.0) { $0 + $1.value * scores[$1.key].units[id]! } }
        let interval = bootstrap.interval(perImage)
        let estimate = interval == nil ? used.reduce(0.0) { $0 + $1.value * scores[$1.key].value }
            : perImage.reduce(0, +) / Double(perImage.count)
        return Effect(name: contrast.name, role: contrast.role, estimate: estimate, interval: interval,
                      units: interval == nil ? 0 : perImage.count,
                      verdict: verdict(interval, role: contrast.role, direction: metric.direction, level: bootstrap.level))
    }

    /// "helps" / "hurts" when the interval excludes 0 (by the metric's
    /// direction), "within noise at 95%" when it holds 0.
    static func verdict(_ interval: ClosedRange<Double>?, role: AblationContrast.Role,
                        direction: MetricDeclaration.Direction, level: Double) -> String {
        guard let interval else { return "no interval (fewer than 2 per-image scores)" }
        guard interval.lowerBound > 0 || interval.upperBound < 0 else {
            return "within noise at \(Int((level * 100).rounded()))%"
        }
        let up = interval.lowerBound > 0
        let better: Bool
        switch direction {
        case .higherIsBetter: better = up
        case .lowerIsBetter: better = !up
        case .neutral: return up ? "raises it" : "lowers it"
        }
        if role == .interaction { return better ? "better together than alone" : "worse together than alone" }
        return better ? "helps" : "hurts"
    }

    /// The text `pipe ablate` prints.
    public var text: String {
        let format = metric.format
        func number(_ value: Double) -> String { MetricDeclaration.text(.double(value), format: format) }
        func signed(_ value: Double) -> String { MetricDeclaration.delta(from: .double(0), to: .double(value), format: format) ?? "" }
        var rows = [["version", metric.name, "images"]]
        for version in versions {
            var cell = number(version.value)
            if let noise = version.noise { cell += " ± \(number(noise)) (\(version.values.count) seeds)" }
            rows.append([version.version, cell, version.units.isEmpty ? "-" : String(version.units.count)])
        }
        var lines = ["\(a) -> \(b), \(design.rawValue): \(metric.name)", ""]
        lines += TextTable.render(rows).split(separator: "\n").map { "  \($0)" }
        let interval = "\(Int((bootstrap.level * 100).rounded()))% interval"
        var effectRows = [["effect of", "estimate", interval, "images", "verdict"]]
        for effect in effects {
            let range = effect.interval.map { "[\(signed($0.lowerBound)), \(signed($0.upperBound))]" } ?? "-"
            effectRows.append([effect.name, signed(effect.estimate), range, effect.units == 0 ? "-" : String(effect.units), effect.verdict])
        }
        lines += ["", "effects (\(bootstrap.method)):"]
        lines += TextTable.render(effectRows).split(separator: "\n").map { "  \($0)" }
        if !inert.isEmpty { lines += ["", "not ablated (no stage's result depends on it): \(inert.joined(separator: ", "))"] }
        return lines.joined(separator: "\n")
    }

    /// The object `pipe ablate --json` prints and `effects.json` holds.
    public var json: JSONValue {
        func number(_ value: Double?) -> JSONValue { value.map { $0.isFinite ? .double($0) : .null } ?? .null }
        return .object([
            "a": .string(a), "b": .string(b), "design": .string(design.rawValue), "metric": .string(metric.name),
            "bootstrap": .object(["method": .string("percentile"), "resamples": .int(bootstrap.resamples),
                                  "seed": .int(Int(truncatingIfNeeded: bootstrap.seed)), "level": .double(bootstrap.level)]),
            "versions": .array(versions.map { version in
                .object(["version": .string(version.version), "value": number(version.value),
                         "values": .array(version.values.map { number($0) }), "seeds": .array(version.seeds.map(JSONValue.int)),
                         "noise": number(version.noise), "images": .int(version.units.count)])
            }),
            "effects": .array(effects.map { effect in
                .object(["name": .string(effect.name), "role": .string(effect.role.rawValue), "estimate": number(effect.estimate),
                         "low": number(effect.interval?.lowerBound), "high": number(effect.interval?.upperBound),
                         "images": .int(effect.units), "verdict": .string(effect.verdict)])
            }),
            "inert": .array(inert.map(JSONValue.string)),
        ])
    }
}

extension PairedBootstrap {
    /// How the interval was made, in words (`pipe ablate` prints it).
    public var method: String {
        "percentile bootstrap of the per-image contrasts, \(resamples) resamples, seed \(seed)"
    }
}
