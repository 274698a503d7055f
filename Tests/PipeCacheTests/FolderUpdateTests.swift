import Foundation
import PipeCache
import PipeCore
import TestSupport
import Testing

/// `ObjectStore.update`: a `runs/` folder follows a new tree by touching only
/// the entries that differ, and never shows a corrupt object.
struct FolderUpdateTests {
    /// Stores a tree of `files` (relative path -> text) and returns its digest.
    func store(_ files: [String: String], in cache: Cache, dir: TemporaryDirectory, as name: String) throws -> Digest {
        for (path, text) in files { try dir.write("\(name)/\(path)", text) }
        return try cache.objects.ingestTree(at: dir.file(name).path, move: true).digest
    }

    func inode(_ path: String) -> UInt64? {
        var info = stat()
        return lstat(path, &info) == 0 ? UInt64(info.st_ino) : nil
    }

    func files(under folder: String) -> [String] {
        let walker = FileManager.default.enumerator(atPath: folder)
        return (walker?.allObjects as? [String] ?? []).filter { path in
            var info = stat()
            return lstat("\(folder)/\(path)", &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG
        }.sorted()
    }

    @Test func oneChangedItemIsRelinkedInPlace() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let cache = try Cache(root: dir.file("cache").path)
        // Ten items; then item 2 changes, item 9 goes and an item `new` comes (most entries stay).
        let items = Dictionary(uniqueKeysWithValues: (0..<10).map { ("\($0)/out.txt", "a\($0)") })
        let old = try store(items, in: cache, dir: dir, as: "old")
        var changed = items
        changed["2/out.txt"] = "b2"
        changed["9/out.txt"] = nil
        changed["new/out.txt"] = "n"
        let new = try store(changed, in: cache, dir: dir, as: "new")
        let folder = dir.file("runs/shard").path
        try cache.objects.materialize(old, at: folder)
        let folderInode = inode(folder), itemInode = inode("\(folder)/0")

        try cache.objects.update(folder, from: old, to: new)

        #expect(files(under: folder) == changed.keys.sorted())
        #expect(try String(contentsOfFile: "\(folder)/2/out.txt", encoding: .utf8) == "b2")
        #expect(try String(contentsOfFile: "\(folder)/new/out.txt", encoding: .utf8) == "n")
        #expect(!FileManager.default.fileExists(atPath: "\(folder)/9"))  // the removed item's folder goes too
        // In place: the folder and an unchanged item's folder are the same directories, not a rebuilt copy.
        #expect(inode(folder) == folderInode && inode("\(folder)/0") == itemInode)
        #expect(cache.objects.isIntactView(folder, of: try #require(cache.objects.manifest(new))))
        #expect(cache.objects.isComplete(new) && cache.objects.isComplete(old))
    }

    @Test func aCorruptNewObjectIsNeverShown() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let cache = try Cache(root: dir.file("cache").path)
        let old = try store(["0/out.txt": "a0", "1/out.txt": "a1", "2/out.txt": "a2"], in: cache, dir: dir, as: "old")
        let new = try store(["0/out.txt": "a0", "1/out.txt": "a1", "2/out.txt": "b2"], in: cache, dir: dir, as: "new")
        let folder = dir.file("runs/shard").path
        try cache.objects.materialize(old, at: folder)
        let changed = try #require(cache.objects.manifest(new)?.entries.first { $0.path == "2/out.txt" }?.digest)
        let object = cache.objects.path(of: changed)
        chmod(object, 0o644)
        try Data("bad".utf8).write(to: URL(fileURLWithPath: object))

        let error = #expect(throws: CacheError.self) { try cache.objects.update(folder, from: old, to: new) }
        #expect(error?.corruptObjects == [changed])
        #expect(try String(contentsOfFile: "\(folder)/2/out.txt", encoding: .utf8) == "a2")
    }

    @Test func aFolderThatIsGoneIsBuiltWhole() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let cache = try Cache(root: dir.file("cache").path)
        let old = try store(["a.txt": "a"], in: cache, dir: dir, as: "old")
        let new = try store(["a.txt": "a", "b.txt": "b"], in: cache, dir: dir, as: "new")
        let folder = dir.file("runs/stage").path
        try cache.objects.update(folder, from: old, to: new)
        #expect(files(under: folder) == ["a.txt", "b.txt"])
    }
}
