import Foundation
import PipeCache
import PipeCore
import Synchronization

/// The keys one stage's tasks had in earlier runs of this pipeline, or else
/// of its nearest ancestor (`extends`), used to explain why a task must run.
/// The first few tasks that ask are looked up one query each (a one-item
/// change asks once); past that the whole stage is loaded with one query per
/// pipeline, so planning a 100,000-item fan-out does not make 100,000 reads.
final class PreviousKeys: Sendable {
    /// Single lookups before the stage is loaded whole.
    static let singleLookups = 32

    private let database: CacheDatabase
    private let stage: String
    /// This pipeline first, then its ancestors, nearest first.
    private let lineage: [String]
    private let state = Mutex(State())

    private struct State {
        var asked = 0
        /// Per pipeline of `lineage`, task -> key, once loaded.
        var loaded: [[String: Digest]]?
    }

    init(database: CacheDatabase, stage: String, lineage: [String]) {
        self.database = database
        self.stage = stage
        self.lineage = lineage
    }

    /// `read` of the first of `task`'s last keys, nearest pipeline of the
    /// lineage first, for which it gives something (a record that exists).
    func first<Value>(of task: String, _ read: (Digest) -> Value?) -> Value? {
        let loaded = state.withLock { state -> [[String: Digest]]? in
            state.asked += 1
            if state.loaded == nil, state.asked > Self.singleLookups {
                state.loaded = lineage.map { (try? database.lastKeys(pipeline: $0, stage: stage)) ?? [:] }
            }
            return state.loaded
        }
        for (index, pipeline) in lineage.enumerated() {
            let key: Digest? = if let loaded { loaded[index][task] } else { try? database.lastKey(pipeline: pipeline, task: task) }
            if let key, let value = read(key) { return value }
        }
        return nil
    }
}
