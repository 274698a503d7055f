import Foundation
import PipeCache
import PipeCore
import TestSupport
import Testing

private func mode(_ path: String) -> Int {
    (try? FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int) ?? -1
}

private func symlink(_ name: String, to target: String, in dir: TemporaryDirectory) throws {
    let link = dir.file(name)
    try FileManager.default.createDirectory(at: link.deletingLastPathComponent(), withIntermediateDirectories: true)
    try FileManager.default.createSymbolicLink(atPath: link.path, withDestinationPath: target)
}

@Test func anOutputSymlinkPointingOutsideIsAnErrorNamingItAndItsTargetIsUntouched() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let cache = try Cache(root: dir.file("ws/.pipe").path)
    let outside = try dir.write("outside/secret.txt", "do not touch")
    chmod(outside.path, 0o640)
    for (name, target) in [("top.txt", outside.path), ("sub/nested.txt", "../../../../outside/secret.txt"),
                           ("dir", dir.file("outside").path)] {
        let out = "ws/scratch-\(name.count)/out"
        try dir.write("\(out)/ok.txt", "fine")
        try symlink("\(out)/\(name)", to: target, in: dir)
        #expect {
            try cache.objects.ingestTree(at: dir.file(out).path, move: true,
                                         allowedRoots: [dir.file("ws/scratch-\(name.count)").path, dir.file("ws").path])
        } throws: { error in
            let text = "\(error)"
            return text.contains("output '\(name)' is a symbolic link to '") && text.contains("outside the task's work directory")
        }
    }
    #expect(mode(outside.path) == 0o640)
    #expect(try String(contentsOf: outside, encoding: .utf8) == "do not touch")
}

@Test func aDanglingOutputSymlinkIsAnError() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let cache = try Cache(root: dir.file(".pipe").path)
    try symlink("out/gone.txt", to: "nowhere.txt", in: dir)
    #expect {
        try cache.objects.ingestTree(at: dir.file("out").path, move: true)
    } throws: { error in "\(error)".contains("output 'gone.txt' is a symbolic link to 'nowhere.txt', which does not exist") }
}

@Test func aSymlinkInsideTheOutputIsStoredAsAFileAndNothingOutsideIsChmodded() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let cache = try Cache(root: dir.file("ws/.pipe").path)
    let project = try dir.write("ws/data/input.txt", "project file")
    chmod(project.path, 0o664)
    try dir.write("ws/out/real.txt", "real")
    try symlink("ws/out/alias.txt", to: "real.txt", in: dir)
    try symlink("ws/out/data", to: dir.file("ws/data").path, in: dir)
    // A hard link to a project file: stored as a copy, never moved or chmod'ed.
    #expect(link(project.path, dir.file("ws/out/hard.txt").path) == 0)
    let manifest = try cache.objects.ingestTree(at: dir.file("ws/out").path, move: true, allowedRoots: [dir.file("ws").path])
    #expect(manifest.entries.map(\.path) == ["alias.txt", "data/input.txt", "hard.txt", "real.txt"])
    #expect(manifest.entries[0].digest == manifest.entries[3].digest)
    #expect(mode(project.path) == 0o664)
    #expect(try String(contentsOf: project, encoding: .utf8) == "project file")
    var projectInfo = stat(), objectInfo = stat()
    stat(project.path, &projectInfo)
    stat(cache.objects.path(of: manifest.entries[2].digest), &objectInfo)
    #expect(projectInfo.st_ino != objectInfo.st_ino, "the object is a copy, not the project's inode")
    #expect(mode(cache.objects.path(of: manifest.entries[2].digest)) == 0o444)
}

@Test func removingAScratchDirectoryNeverChmodsWhatItsLinksPointTo() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let cache = try Cache(root: dir.file(".pipe").path)
    let project = dir.file("project").path
    try dir.write("project/keep.txt", "keep")
    chmod(project, 0o700)
    let scratch = try cache.makeScratchDirectory(label: "t")
    try FileManager.default.createDirectory(atPath: "\(scratch)/work", withIntermediateDirectories: true)
    try FileManager.default.createSymbolicLink(atPath: "\(scratch)/work/project", withDestinationPath: project)
    cache.removeScratch(scratch)
    #expect(!FileManager.default.fileExists(atPath: scratch))
    #expect(mode(project) == 0o700)
    #expect(FileManager.default.fileExists(atPath: "\(project)/keep.txt"))
}
