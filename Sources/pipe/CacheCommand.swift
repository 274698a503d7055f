import ArgumentParser
import Foundation
import PipeCache
import PipeCore

/// `pipe cache status | gc | verify | repair`.
struct CacheCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cache", abstract: "Inspect and maintain the cache.",
        subcommands: [Status.self, GC.self, Verify.self, Repair.self])

    struct Location: ParsableArguments {
        @OptionGroup var workspace: WorkspaceOptions
        @Flag(help: "Print one JSON object.") var json = false

        func open() throws -> Cache { try Self.reporting { try workspace.open(.existing) } }

        /// Runs `body`; a cache failure (a damaged, locked or read-only
        /// pipe.db, a disk error) becomes one `error:` line and exit code 1.
        static func reporting<T>(_ body: () throws -> T) throws -> T {
            do { return try body() } catch let error as CacheError { throw Failure.failed(error.description) }
        }
    }

    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Size of the cache and what gc would free.")
        @OptionGroup var location: Location
        @Flag(name: .customLong("remote"), help: "Compare with the remote cache (cache.remote): local, remote, or both.")
        var compareRemote = false
        @Flag(help: "With --remote: print how many requests were sent, on stderr.") var stats = false

        func run() throws {
            if compareRemote {
                return try RemoteStatusReport.print(RemoteOptions.parse(stats ? ["--stats"] : []), workspace: location.workspace,
                                                    cache: location.open(), json: location.json)
            }
            let status = try Location.reporting { try location.open().status() }
            if location.json {
                print(JSONValue.object([
                    "root": .string(status.root), "objects": .int(status.objectCount),
                    "bytes": .int(Int(status.objectBytes)), "records": .int(status.recordCount),
                    "runs": .int(status.runCount), "reclaimable_bytes": .int(Int(status.reclaimableBytes)),
                ]).prettyString)
                return
            }
            print("cache:       \(status.root)")
            print("objects:     \(status.objectCount) (\(formatBytes(status.objectBytes)))")
            print("run records: \(status.recordCount)")
            print("runs:        \(status.runCount)")
            print("reclaimable: \(formatBytes(status.reclaimableBytes)) (pipe cache gc)")
        }
    }

    struct GC: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "gc", abstract: "Remove what no pipeline's latest run references.")
        @OptionGroup var location: Location

        func run() throws {
            let report = try Location.reporting { try location.open().collectGarbage() }
            if location.json {
                print(JSONValue.object([
                    "removed_objects": .int(report.removedObjects), "removed_records": .int(report.removedRecords),
                    "freed_bytes": .int(Int(report.freedBytes)),
                ]).prettyString)
                return
            }
            print("removed \(report.removedObjects) objects and \(report.removedRecords) run records, freed \(formatBytes(report.freedBytes))")
        }
    }

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Re-hash every object; evict corrupt objects and the records that used them.")
        @OptionGroup var location: Location

        func run() throws {
            let progress = ProgressPrinter(), show = progress.handler(for: "verify")
            let report = try Location.reporting {
                try location.open().verify { done, total in
                    if done % 50 == 0 || done == total { show(Double(done) / Double(max(total, 1)), "\(done)/\(total) objects") }
                }
            }
            progress.finish("verify")
            if location.json {
                print(JSONValue.object([
                    "checked": .int(report.checkedObjects),
                    "corrupt_objects": .array(report.corruptObjects.map(JSONValue.string)),
                    "evicted_records": .array(report.brokenRecords.map(JSONValue.string)),
                ]).prettyString)
            } else {
                print("checked \(report.checkedObjects) objects: \(report.corruptObjects.count) corrupt, \(report.brokenRecords.count) run records evicted")
                for path in report.corruptObjects { print("  corrupt: \(path)") }
                for path in report.brokenRecords { print("  evicted: \(path)") }
                if !report.corruptObjects.isEmpty { print("the next run recomputes what they held") }
            }
            if !report.corruptObjects.isEmpty { throw ExitCode(1) }
        }
    }
}

/// `1.2 GB`-style sizes.
func formatBytes(_ bytes: Int64) -> String {
    let units = ["B", "KB", "MB", "GB", "TB"]
    var value = Double(bytes), unit = 0
    while value >= 1000, unit < units.count - 1 { value /= 1000; unit += 1 }
    return unit == 0 ? "\(bytes) B" : String(format: "%.1f %@", value, units[unit])
}
