import ArgumentParser
import Foundation
import PipeEngine

/// `pipe cancel`: ends every Slurm job the workspace's journal lists, with
/// one `scancel`, even when the `pipe run` that submitted them died. Jobs
/// whose id the journal lacks (the planner died during `sbatch`) are found
/// by their token with one `squeue` first.
struct CancelCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cancel", abstract: "Cancel the Slurm jobs of this workspace's runs (one scancel for all).")

    @OptionGroup var workspace: WorkspaceOptions

    func run() async throws {
        let cache = try workspace.open(.existing)
        let journal = JobJournal(cacheRoot: cache.root)
        let entries = journal.all()
        let backend = SlurmBackend()
        let unidentified = Set(entries.filter { $0.jobID == nil && $0.token != nil }.map(\.jobName))
        let ids: [String]
        do {
            let queue = unidentified.isEmpty ? [:] : try await backend.queue(names: unidentified.sorted())
            ids = Array(Set(JobJournal.identified(entries, in: queue).compactMap(\.jobID))).sorted()
            if !ids.isEmpty { try backend.cancel(jobs: ids) }
        } catch {
            throw Failure.failed("\(error)")
        }
        for entry in entries { journal.remove(entry.key) }
        guard !ids.isEmpty else {
            print("no Slurm jobs to cancel in \(cache.root)")
            return
        }
        print("cancelled \(ids.count) Slurm job\(ids.count == 1 ? "" : "s"): \(ids.joined(separator: " "))")
    }
}
