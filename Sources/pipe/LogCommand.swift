import ArgumentParser
import Foundation
import PipeCache
import PipeCore
import PipeEngine
import PipeReport

/// `pipe log`: the experiment table, one row per pipeline version run.
struct LogCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "log", abstract: "The experiment table: one row per pipeline version that has run.")

    enum Format: String, ExpressibleByArgument, CaseIterable { case md, tsv, json }

    @Option(help: "md (pastes into a README), tsv or json.") var format: Format = .md
    @OptionGroup var workspace: WorkspaceOptions

    func run() throws {
        let log = try ExperimentLog(database: try workspace.open(.history).database, kinds: KindCatalog.stages)
        switch format {
        case .json: print(JSONValue.array(log.rows.map(Self.json)).prettyString)
        case .tsv: print(Self.table(log).map { $0.joined(separator: "\t") }.joined(separator: "\n"))
        case .md: print(Self.markdown(Self.table(log)))
        }
    }

    static func table(_ log: ExperimentLog) -> [[String]] {
        var rows = [["version", "changed vs parent", "model", "time", "saved by cache", "CV tile", "CV image", "holdout", "LB",
                     "purpose", "conclusion"]]
        for row in log.rows {
            let changed = row.parent.map { parent in
                "\(parent): " + (row.changes.isEmpty ? "(nothing)" : row.changes.joined(separator: ", "))
            } ?? "(base)"
            let extra = row.cvImage == nil && row.cvTile == nil && !row.metrics.isEmpty
                ? row.metrics.sorted { $0.key < $1.key }.map { "\($0.key)=\(format($0.value))" }.joined(separator: " ") : nil
            rows.append([row.version, changed, row.model ?? "", StageTable.duration(row.seconds),
                         row.savedSeconds > 0 ? StageTable.duration(row.savedSeconds) : "",
                         row.cvTile.map(format) ?? "", row.cvImage.map { format($0) + noise(row) } ?? extra ?? "",
                         row.holdout.map(format) ?? "",
                         row.lb.map(format) ?? "",
                         row.description ?? "", row.note ?? ""])
        }
        return rows
    }

    static func format(_ value: Double) -> String { String(format: "%.4f", value) }

    /// ` ± SD (N seeds)` when the version has seed runs, else nothing.
    static func noise(_ row: ExperimentLog.Row) -> String {
        row.cvImageNoise.map { " ± \(format($0)) (\(row.noiseRuns) seeds)" } ?? ""
    }

    static func markdown(_ rows: [[String]]) -> String {
        func line(_ cells: [String]) -> String {
            "| " + cells.map { $0.replacingOccurrences(of: "|", with: "\\|") }.joined(separator: " | ") + " |"
        }
        guard let header = rows.first else { return "" }
        return ([line(header), line(header.map { _ in "---" })] + rows.dropFirst().map(line)).joined(separator: "\n")
    }

    static func json(_ row: ExperimentLog.Row) -> JSONValue {
        .object([
            "version": .string(row.version), "parent": row.parent.map(JSONValue.string) ?? .null,
            "changes": .array(row.changes.map(JSONValue.string)), "model": row.model.map(JSONValue.string) ?? .null,
            "seconds": .double(row.seconds), "saved_seconds": .double(row.savedSeconds),
            "cv_dice_tile": row.cvTile.map(JSONValue.double) ?? .null,
            "cv_dice_image": row.cvImage.map(JSONValue.double) ?? .null,
            "cv_dice_image_noise": row.cvImageNoise.map(JSONValue.double) ?? .null,
            "holdout_dice_image": row.holdout.map(JSONValue.double) ?? .null,
            "metrics": .object(row.metrics.mapValues(JSONValue.double)),
            "lb": row.lb.map(JSONValue.double) ?? .null, "description": row.description.map(JSONValue.string) ?? .null,
            "note": row.note.map(JSONValue.string) ?? .null,
        ])
    }
}

/// `pipe record VERSION --lb 0.924 --note "..."`.
struct RecordCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "record", abstract: "Attach a leaderboard score and a conclusion to a pipeline version.")

    @Argument(help: "The pipeline version (its `pipeline:` name, e.g. v54).") var version: String
    @Option(help: "The leaderboard score.") var lb: Double?
    @Option(help: "What the experiment showed.") var note: String?
    @OptionGroup var workspace: WorkspaceOptions

    func run() throws {
        guard lb != nil || note != nil else { throw Failure.usage("give --lb SCORE and/or --note TEXT") }
        let database = try workspace.open(.history).database
        let known = Set(try database.runs(limit: 100_000).map(\.pipeline))
        guard known.contains(version) else {
            throw Failure.usage("no run of pipeline '\(version)' in '\(workspace.cacheRoot)'" + Failure.suggestion(version, Array(known)))
        }
        try database.record(pipeline: version, lb: lb, note: note)
        print("recorded \(version):" + (lb.map { " lb \($0)" } ?? "") + (note.map { " note \"\($0)\"" } ?? ""))
    }
}
