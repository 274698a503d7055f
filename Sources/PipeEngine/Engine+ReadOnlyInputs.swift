import Foundation
import PipeCache
import PipeCore
import PipeSpec
import PipeStages

/// What `stat` says of every file and directory reachable from a task's
/// declared inputs, taken before the task runs and compared after it exits.
/// Declared inputs are read-only (DESIGN §3) but nothing stops a command
/// running as root from writing through a work-directory link into a project
/// file, or through a view's hard link into the object store; this catches it.
/// Only stats, nothing is re-read, and only for tasks that actually run.
struct InputSnapshot {
    struct Stamp: Equatable {
        var inode: UInt64
        var size: Int64
        var mtimeNanoseconds: Int64
        var mode: UInt32

        init?(path: String) {
            var info = stat()
            guard stat(path, &info) == 0 else { return nil }
            inode = UInt64(info.st_ino)
            size = Int64(info.st_size)
            mtimeNanoseconds = Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec)
            mode = UInt32(info.st_mode)
        }

        var isDirectory: Bool { mode & UInt32(S_IFMT) == UInt32(S_IFDIR) }
    }

    /// Paths inside one input that differ: `""` is the input itself.
    struct Change {
        var input: InputArtifact
        var paths: [String]

        /// The changed paths worth naming: a directory only when nothing
        /// under it is named (a new file also changes its directory).
        var named: [String] {
            paths.filter { path in !paths.contains { $0 != path && (path.isEmpty || $0.hasPrefix(path + "/")) } }
        }

        /// How the user names a changed path: `a/a.txt`, `scripts/fold.sh`, `data/x.csv`.
        func display(_ path: String) -> String {
            let base = input.relativePath ?? input.name
            return path.isEmpty ? base : "\(base)/\(path)"
        }
    }

    let inputs: [InputArtifact]
    private let before: [[String: Stamp]]

    init(_ inputs: [InputArtifact]) {
        self.inputs = inputs
        before = inputs.map { Self.stamps(under: $0.path.path) }
    }

    /// Inputs whose files, as snapshotted, are not those of `manifest`: a
    /// file added, removed or of another size (what a task that wrote into a
    /// shared view may have left behind for others). Directories are not
    /// compared; inputs without a manifest are skipped.
    func disagreeingWithManifests() -> [InputArtifact] {
        zip(inputs, before).compactMap { input, before in
            guard let manifest = input.manifest else { return nil }
            let files = before.filter { !$0.value.isDirectory }
            let agrees = files.count == manifest.entries.count
                && manifest.entries.allSatisfy { files[$0.path]?.size == $0.size }
            return agrees ? nil : input
        }
    }

    /// The inputs that changed since the snapshot, with the paths that did.
    func changes() -> [Change] {
        zip(inputs, before).compactMap { input, before in
            let after = Self.stamps(under: input.path.path)
            let paths = Set(before.keys).union(after.keys).filter { before[$0] != after[$0] }.sorted()
            return paths.isEmpty ? nil : Change(input: input, paths: paths)
        }
    }

    /// Relative path -> stamp of `root` (as `""`) and everything under it,
    /// hidden files included: each entry stamped through symlinks, but only
    /// real directories descended into (as `FileManager`'s enumerator walks,
    /// with `readdir` instead: a fan-out's view has a folder per item).
    static func stamps(under root: String) -> [String: Stamp] {
        let resolved = URL(fileURLWithPath: root).resolvingSymlinksInPath().path
        guard let top = Stamp(path: resolved) else { return [:] }
        var result = ["": top]
        guard top.isDirectory else { return result }
        var folders = [""]
        while let folder = folders.popLast() {
            for (name, type) in entries(of: folder.isEmpty ? resolved : "\(resolved)/\(folder)") {
                let relative = folder.isEmpty ? name : "\(folder)/\(name)"
                let path = "\(resolved)/\(relative)"
                if let stamp = Stamp(path: path) { result[relative] = stamp }
                var info = stat()
                if type == UInt8(DT_DIR) || (type == UInt8(DT_UNKNOWN) && lstat(path, &info) == 0
                                              && info.st_mode & S_IFMT == S_IFDIR) {
                    folders.append(relative)
                }
            }
        }
        return result
    }

    /// Names (without `.` and `..`) and `d_type`s of the entries of `directory`; none when it cannot be read.
    private static func entries(of directory: String) -> [(String, UInt8)] {
        guard let handle = opendir(directory) else { return [] }
        defer { closedir(handle) }
        var entries: [(String, UInt8)] = []
        while let entry = readdir(handle) {
            var raw = entry.pointee.d_name
            let name = withUnsafePointer(to: &raw) { $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) } }
            if name != ".", name != ".." { entries.append((name, entry.pointee.d_type)) }
        }
        return entries
    }
}

extension Engine {
    /// Snapshots a task's inputs, first making sure every input served from
    /// the cache holds the bytes its digest names: each object is checked
    /// (`ObjectStore.checkTree`, a `stat` when its stamp is unchanged) and a
    /// corrupt one is evicted with every result computed from it, failing the
    /// task with a request to run again (which recomputes the producer). A
    /// view that no longer matches its manifest (another task wrote into it,
    /// or replaced a file in it) is rebuilt from the intact objects.
    func snapshotInputs(_ inputs: [InputArtifact], stage: StageSpec) throws -> InputSnapshot {
        let isServed = { (input: InputArtifact) in input.path.path == self.cache.objects.viewPath(of: input.digest) }
        var damaged: [InputArtifact] = []
        for input in inputs where isServed(input) {
            let integrity = cache.objects.checkTree(input.digest)
            if !integrity.corrupt.isEmpty {
                cache.evictCorrupt(Set(integrity.corrupt))
                removeOutputFolder(of: input)
                throw StageError("input \(input.name) of stage \(stage.name) was corrupt in the cache (its bytes no longer "
                                 + "match their digest) and has been evicted with what was computed from it; "
                                 + "run again to recompute it", at: stage.location)
            }
            if let manifest = input.manifest, !cache.objects.isIntactView(input.path.path, of: manifest) {
                damaged.append(input)
            }
        }
        let snapshot = InputSnapshot(inputs)
        damaged += snapshot.disagreeingWithManifests().filter(isServed)
        guard !damaged.isEmpty else { return snapshot }
        for input in damaged {
            discardView(of: input, evicting: [])
            guard (try? cache.objects.view(of: input.digest)) != nil, cache.objects.isComplete(input.digest) else {
                throw StageError("input \(input.name) of stage \(stage.name) was damaged in the cache by another task "
                                 + "and has been evicted; run again to recompute it", at: stage.location)
            }
        }
        return InputSnapshot(inputs)
    }

    /// Fails the task if it changed any declared input since `snapshot`:
    /// repairs the cache first (evicts every object written through a view's
    /// links, drops the view and this pipeline's output folder built from it)
    /// so the producer reruns next time, then throws an error naming the stage
    /// and the first changed paths.
    func checkInputsUnchanged(_ snapshot: InputSnapshot, stage: StageSpec, log: String) throws {
        let changes = snapshot.changes()
        guard !changes.isEmpty else { return }
        var fromCache = false, evicted = false
        for change in changes where change.input.path.path == cache.objects.viewPath(of: change.input.digest) {
            fromCache = true
            let changed = Set(change.paths)
            let objects = (change.input.manifest?.entries ?? []).filter { changed.contains($0.path) }.map(\.digest)
            evicted = evicted || !objects.isEmpty
            discardView(of: change.input, evicting: objects)
        }
        let paths = changes.flatMap { change in change.named.map(change.display) }
        let named = paths.prefix(3).joined(separator: ", ") + (paths.count > 3 ? " and \(paths.count - 3) more" : "")
        let aftermath = evicted ? "the damaged cached copy was evicted, so what produced it runs again next time"
            : fromCache ? "the cache's view of it was discarded" : "the project file was changed: check it"
        throw StageError("stage \(stage.name) modified its input\(paths.count > 1 ? "s" : "") \(named); declared inputs "
                         + "are read-only: write new files in the work directory and list them in outs (\(aftermath))",
                         at: stage.location, log: log)
    }

    /// Evicts `objects` (their bytes may have changed through a view's hard
    /// links) with every result computed from them, drops the view of
    /// `input`, and drops this pipeline's output folder built from the same
    /// objects, so everything is rebuilt afresh.
    func discardView(of input: InputArtifact, evicting objects: [Digest]) {
        cache.evictCorrupt(Set(objects))
        cache.objects.removeView(of: input.digest)
        if !objects.isEmpty { removeOutputFolder(of: input) }
    }

    /// Drops `runs/<pipeline>/<input>` (it links the input's objects).
    func removeOutputFolder(of input: InputArtifact) {
        guard PathSafety.isSafeComponent(spec.name), PathSafety.isSafeComponent(input.name) else { return }
        try? FileManager.default.removeItem(atPath: "\(options.outputsRoot)/runs/\(spec.name)/\(input.name)")
    }
}
