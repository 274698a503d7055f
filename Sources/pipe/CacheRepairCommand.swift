import ArgumentParser
import Foundation
import PipeCache
import PipeCore

extension CacheCommand {
    /// `pipe cache repair`: rebuilds a damaged state database (DESIGN §4).
    struct Repair: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Rebuild a damaged pipe.db from the object store and run records; objects are kept.")
        @OptionGroup var location: Location
        @Flag(help: "Rebuild even when the database passes its integrity check.") var force = false

        func run() throws {
            let root = location.workspace.cacheRoot
            guard FileManager.default.fileExists(atPath: root) else {
                throw Failure.usage("no cache at '\(root)'; run a pipeline first or pass --cache")
            }
            let report = try Location.reporting { try Cache.repairDatabase(root: root, force: force) }
            if location.json {
                print(JSONValue.object([
                    "healthy": .bool(report.healthy),
                    "moved_aside": report.movedAside.map(JSONValue.string) ?? .null,
                    "salvaged": .object(report.salvaged.mapValues(JSONValue.int)),
                    "rebuilt_pipelines": .int(report.rebuiltPipelines), "rebuilt_tasks": .int(report.rebuiltTasks),
                    "lost": .array(report.lost.map(JSONValue.string)),
                ]).prettyString)
                return
            }
            if report.healthy {
                print("'\(root)/pipe.db' passed its integrity check; nothing to repair (--force rebuilds it anyway)")
                return
            }
            if let aside = report.movedAside { print("moved the damaged database to '\(aside)'") }
            for (table, rows) in report.salvaged.sorted(by: { $0.key < $1.key }) {
                print("salvaged \(rows) rows of \(table)")
            }
            print("rebuilt the latest results of \(report.rebuiltTasks) tasks in \(report.rebuiltPipelines) pipelines "
                  + "from run records; no object was removed")
            for item in report.lost { print("not recovered: \(item)") }
        }
    }
}
