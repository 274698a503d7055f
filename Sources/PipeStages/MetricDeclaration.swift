import Foundation
import PipeCore

/// A number a stage kind reports in its task metrics, declared by the kind
/// so that the stage table, `pipe diff`, `pipe log` and the report show it
/// without knowing the kind: which way is better, how to print it, and which
/// score column of the experiment table it fills, if any.
public struct MetricDeclaration: Sendable, Hashable {
    public enum Direction: Sendable, Hashable {
        case higherIsBetter, lowerIsBetter, neutral
    }

    public enum Format: Sendable, Hashable {
        /// A whole number (tiles, images): printed without decimals.
        case count
        /// A score in 0...1 (Dice): four decimals.
        case score
        /// A duration in seconds: one decimal.
        case seconds
        /// Anything else: four significant digits.
        case number
    }

    /// The experiment table's score columns (`pipe log`, the report's versions).
    public enum Column: Sendable, Hashable {
        /// Mean per-tile Dice over the folds' validation tiles.
        case cvTile
        /// Mean per-image Dice over the folds' validation images (the CV of the table).
        case cvImage
        /// Dice of the fold ensemble on held-out images no fold saw.
        case holdout
    }

    /// Where the metric's per-image values sit in the task's output, when it
    /// is a mean over images: `pipe ablate` bootstraps its intervals from them.
    public struct Units: Sendable, Hashable {
        /// A JSON file in the task's output (`scores.json`).
        public var file: String
        /// The list of per-unit objects in it (`images`), each with an `id`.
        public var list: String
        /// The number field of each object (`dice_image`).
        public var value: String

        public init(file: String, list: String, value: String) {
            self.file = file
            self.list = list
            self.value = value
        }
    }

    public var name: String
    public var direction: Direction
    public var format: Format
    public var column: Column?
    public var units: Units?

    public init(_ name: String, _ direction: Direction = .neutral, _ format: Format = .number, column: Column? = nil,
                units: Units? = nil) {
        self.name = name
        self.direction = direction
        self.format = format
        self.column = column
        self.units = units
    }

    /// `value` as this metric prints.
    public func text(_ value: JSONValue) -> String { Self.text(value, format: format) }

    /// `new - old` as this metric prints it, signed.
    public func delta(from old: JSONValue, to new: JSONValue) -> String? { Self.delta(from: old, to: new, format: format) }

    /// A value printed in `format`; an integer value is printed as an
    /// integer whatever the format, a non-number as JSON.
    public static func text(_ value: JSONValue, format: Format = .number) -> String {
        if case .int(let integer) = value { return String(integer) }
        guard let number = value.doubleValue else { return value.display }
        return String(format: "%.\(decimals(number, format))f", number)
    }

    /// The signed difference `new - old` in `format`; nil unless both are numbers.
    public static func delta(from old: JSONValue, to new: JSONValue, format: Format = .number) -> String? {
        if case .int(let a) = old, case .int(let b) = new { return String(format: "%+d", b - a) }
        guard let a = old.doubleValue, let b = new.doubleValue else { return nil }
        let places = max(decimals(a, format), decimals(b, format))
        return String(format: "%+.\(places)f", b - a)
    }

    /// Decimal places: fixed per format, else enough for four significant digits (none past the point for 1000 and up).
    static func decimals(_ value: Double, _ format: Format) -> Int {
        switch format {
        case .count: return value.rounded() == value ? 0 : 2
        case .score: return 4
        case .seconds: return 1
        case .number:
            guard value.isFinite, value != 0 else { return 0 }
            let digits = Int(floor(log10(abs(value)))) + 1
            return min(6, max(0, 4 - digits))
        }
    }
}

extension Array where Element == MetricDeclaration {
    /// The declaration named `name`, if any.
    public func named(_ name: String) -> MetricDeclaration? { first { $0.name == name } }
}
