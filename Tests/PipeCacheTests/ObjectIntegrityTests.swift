import Foundation
import PipeCache
import PipeCore
import TestSupport
import Testing

/// Writes `text` over the start of `path` in place (same inode, same size when equal length).
private func overwrite(_ path: String, with text: String) throws {
    chmod(path, 0o644)
    let handle = try #require(FileHandle(forWritingAtPath: path))
    try handle.write(contentsOf: Data(text.utf8))
    try handle.close()
}

private func restoreTimes(_ path: String, from info: stat) {
    var times = [info.st_atim, info.st_mtim]
    utimensat(AT_FDCWD, path, &times, 0)
}

@Test func aSameSizeEditThroughAHardLinkIsCaughtEvenWithItsMtimeRestored() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let cache = try Cache(root: dir.file("cache").path)
    let digest = try cache.objects.put(Data("hello world".utf8))
    #expect(cache.objects.check([digest]).isIntact)
    let object = cache.objects.path(of: digest)
    let view = dir.file("view.txt").path
    #expect(link(object, view) == 0)
    var before = stat()
    stat(object, &before)
    try overwrite(view, with: "HELLO")
    restoreTimes(view, from: before)
    let report = cache.objects.check([digest])
    #expect(report.corrupt == [digest])
    #expect(throws: CacheError.self) { try cache.objects.get(digest) }
}

@Test func truncationIsCorruptionDeletionIsMissingAndAChmodAloneIsRepaired() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let cache = try Cache(root: dir.path)
    let truncated = try cache.objects.put(Data("0123456789".utf8))
    let deleted = try cache.objects.put(Data("gone".utf8))
    let chmodded = try cache.objects.put(Data("mode".utf8))
    #expect(truncate(cache.objects.path(of: truncated), 3) == 0)
    #expect(unlink(cache.objects.path(of: deleted)) == 0)
    #expect(chmod(cache.objects.path(of: chmodded), 0o666) == 0)
    let report = cache.objects.check([truncated, deleted, chmodded])
    #expect(report.corrupt == [truncated])
    #expect(report.missing == [deleted])
    let mode = try FileManager.default.attributesOfItem(atPath: cache.objects.path(of: chmodded))[.posixPermissions] as? Int
    #expect(mode == 0o444, "an intact object is made read-only again")
    #expect(cache.objects.check([chmodded]).isIntact)
}

/// Bytes this thread has read through system calls so far (`rchar`).
private func bytesReadByThisThread() throws -> Int {
    let text = try String(contentsOfFile: "/proc/thread-self/io", encoding: .utf8)
    let line = try #require(text.split(separator: "\n").first { $0.hasPrefix("rchar:") })
    return try #require(Int(line.dropFirst("rchar:".count).trimmingCharacters(in: .whitespaces)))
}

@Test(.enabled(if: FileManager.default.fileExists(atPath: "/proc/thread-self/io")))
func anUnchangedObjectIsCheckedByItsStampNotByReadingIt() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let cache = try Cache(root: dir.path)
    let size = 16 << 20
    try dir.write("out/big.bin", String(repeating: "0123456789abcdef", count: size / 16))
    let manifest = try cache.objects.ingestTree(at: dir.file("out").path, move: true)
    let digest = manifest.entries[0].digest
    // The check runs on this thread: what it reads shows in this thread's counter.
    func readWhileChecking() throws -> Int {
        let before = try bytesReadByThisThread()
        #expect(cache.objects.check([digest]).isIntact)
        return try bytesReadByThisThread() - before
    }
    #expect(try readWhileChecking() < 1 << 20, "an object stamped at store is not read")
    // A link made by someone else moves only the ctime: re-hashed once, intact, re-stamped.
    #expect(link(cache.objects.path(of: digest), dir.file("other-link").path) == 0)
    #expect(try readWhileChecking() >= size)
    #expect(try readWhileChecking() < 1 << 20, "re-stamped after the re-hash")
    // pipe's own links (a view) re-stamp what they checked: no re-hash afterwards.
    _ = try cache.objects.view(of: manifest.digest)
    #expect(try readWhileChecking() < 1 << 20, "a view made by pipe does not cost a re-hash")
}

@Test func materializingRefusesATreeWithACorruptObjectAndEvictionDropsItsView() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let cache = try Cache(root: dir.file("cache").path)
    try dir.write("out/a.txt", "alpha")
    try dir.write("out/b.txt", "beta")
    let manifest = try cache.objects.ingestTree(at: dir.file("out").path, move: true)
    _ = try cache.objects.view(of: manifest.digest)
    try overwrite(cache.objects.path(of: manifest.entries[1].digest), with: "BETA")
    #expect {
        try cache.objects.materialize(manifest.digest, at: dir.file("view2").path)
    } throws: { error in
        (error as? CacheError)?.corruptObjects == [manifest.entries[1].digest]
    }
    #expect(!FileManager.default.fileExists(atPath: dir.file("view2").path))
    cache.evictCorrupt([manifest.entries[1].digest])
    #expect(!cache.objects.contains(manifest.entries[1].digest), "the corrupt object is evicted")
    #expect(!FileManager.default.fileExists(atPath: cache.objects.viewPath(of: manifest.digest)))
}

@Test func aManifestEntryThatWouldLeaveItsFolderIsRefused() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let cache = try Cache(root: dir.file("cache").path)
    let payload = try cache.objects.put(Data("x".utf8))
    for path in ["../escaped.txt", "/abs.txt", "a/../../escaped.txt", "", "a//b", "a/\0/b"] {
        let tree = TreeManifest(entries: [TreeManifest.Entry(path: path, executable: false, digest: payload, size: 1)])
        let digest = try cache.objects.put(tree.json.canonicalData)
        #expect(throws: CacheError.self, "\(path)") { try cache.objects.materialize(digest, at: dir.file("v/view").path) }
    }
    #expect(!FileManager.default.fileExists(atPath: dir.file("v/escaped.txt").path))
    #expect(!FileManager.default.fileExists(atPath: dir.file("escaped.txt").path))
    #expect(PathSafety.isSafeComponent("tile[img1]") && PathSafety.isSafeComponent("0"))
    for bad in ["", ".", "..", "a/b", "a\0b"] { #expect(!PathSafety.isSafeComponent(bad), "\(bad)") }
}
