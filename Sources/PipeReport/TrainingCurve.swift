import Foundation
import PipeCore

/// One fold's learning curve, read from the `metrics.csv` a train task
/// writes: a header row naming the columns (`epoch,lr,train_loss,val_loss,
/// val_dice`; order free, extra columns kept, missing ones absent),
/// then one row of numbers per epoch.
public struct TrainingCurve: Sendable, Equatable {
    /// The task it came from, e.g. `train[2]`.
    public var task: String
    /// Column name -> one value per row (NaN where a cell was empty or not a number).
    public var columns: [String: [Double]]
    /// The fold's training time from its run record (the curve itself holds no clock readings).
    public var seconds: Double?

    /// The documented columns, in the order the report plots them.
    public static let expectedColumns = ["epoch", "lr", "train_loss", "val_loss", "val_dice"]

    /// Parses CSV text; nil when there is no header or no data row.
    public init?(task: String, csv: String) {
        let lines = csv.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard lines.count >= 2 else { return nil }
        let header = lines[0].split(separator: ",", omittingEmptySubsequences: false).map {
            $0.trimmingCharacters(in: .whitespaces).lowercased()
        }
        // A repeated column name keeps its first column.
        let wanted = header.enumerated().filter { index, name in header.firstIndex(of: name) == index }
        var columns = Dictionary(uniqueKeysWithValues: wanted.map { ($0.element, [Double]()) })
        for line in lines.dropFirst() {
            let cells = line.split(separator: ",", omittingEmptySubsequences: false)
            for (index, name) in wanted {
                let cell = index < cells.count ? cells[index].trimmingCharacters(in: .whitespaces) : ""
                columns[name]?.append(Double(cell) ?? .nan)
            }
        }
        self.task = task
        self.columns = columns
    }

    /// Reads `path`; nil when it is missing or not a curve.
    public init?(task: String, path: String) {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        self.init(task: task, csv: String(decoding: data, as: UTF8.self))
    }

    /// (epoch, value) pairs of `column`; epochs count from the row number when there is no `epoch` column.
    public func points(_ column: String) -> [(x: Double, y: Double)] {
        guard let values = columns[column] else { return [] }
        let epochs = columns["epoch"] ?? values.indices.map { Double($0 + 1) }
        return zip(epochs, values).filter { $0.0.isFinite && $0.1.isFinite }.map { (x: $0.0, y: $0.1) }
    }
}

/// The threshold sweep a validate task writes as `sweep.json`:
/// `{"thresholds": [0.3, 0.4, ...], "dice": [0.88, 0.91, ...]}` (equal lengths).
public struct ThresholdSweep: Sendable, Equatable {
    public var thresholds: [Double]
    public var dice: [Double]
    /// The fold ensemble's Dice on the holdout images per threshold (`dice_holdout`), when validate had a holdout.
    public var holdout: [Double]?

    /// Parses the JSON; nil when either list is missing, empty or of another length.
    public init?(json: JSONValue) {
        guard let thresholds = json["thresholds"]?.arrayValue?.compactMap(\.doubleValue),
              let dice = json["dice"]?.arrayValue?.compactMap(\.doubleValue),
              !thresholds.isEmpty, thresholds.count == dice.count else { return nil }
        self.thresholds = thresholds
        self.dice = dice
        let holdout = json["dice_holdout"]?.arrayValue?.compactMap(\.doubleValue)
        self.holdout = holdout?.count == thresholds.count ? holdout : nil
    }

    public init?(path: String) {
        guard let data = FileManager.default.contents(atPath: path), let json = try? JSONValue(parsing: data) else { return nil }
        self.init(json: json)
    }

    /// Whether the best threshold is the lowest or highest swept (of more
    /// than one): the optimum may lie beyond the grid.
    public var bestIsOnEdge: Bool {
        guard let low = thresholds.min(), let high = thresholds.max(), low < high else { return false }
        return best.threshold == low || best.threshold == high
    }

    /// The threshold with the highest Dice (the first on ties).
    public var best: (threshold: Double, dice: Double) {
        let index = dice.indices.max { dice[$0] < dice[$1] || (dice[$0] == dice[$1] && $0 > $1) }!
        return (thresholds[index], dice[index])
    }
}
