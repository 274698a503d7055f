import EngineTestSupport
import Foundation
import Imaging
import PipeCore
import PipeEngine
import Testing
import TestSupport

/// An external set distributed as `.jpg` images with `.png` masks is a data source like a PNG set:
/// it tiles to exactly what the same pixels give as PNGs.
@Test(.enabled(if: pythonHas("imagecodecs", "numpy", "tifffile")))
func externalJPEGSetTilesLikeTheSamePixelsAsPNG() async throws {
    let jpeg = try EngineFixture(), png = try EngineFixture()
    defer { jpeg.remove(); png.remove() }
    let script = PipeRepository.root.appendingPathComponent("scripts/imaging/layout_reference.py").path
    let made = try runProcess("python3", [script, "jpegs", jpeg.dir.file("made").path])
    try #require(made.status == 0, "\(made.stderr)")
    try FileManager.default.moveItem(at: jpeg.dir.file("made/set"), to: jpeg.dir.file("external"))
    let fm = FileManager.default
    try fm.createDirectory(at: png.dir.file("external/images"), withIntermediateDirectories: true)
    try fm.copyItem(at: jpeg.dir.file("external/masks"), to: png.dir.file("external/masks"))
    for name in try fm.contentsOfDirectory(atPath: jpeg.dir.file("external/images").path) {
        let image = try JPEGFile.read(path: jpeg.dir.file("external/images/\(name)").path, channels: 3)
        try PNGFile.write(image, path: png.dir.file("external/images/\((name as NSString).deletingPathExtension).png").path)
    }
    let spec = """
        pipeline: tiles
        data: {external: external}
        stages:
          tile: {kind: tile, from: [data.external], size: 32, reduce: 2, min_pixels: 10}
        """
    var outputs: [Digest?] = []
    for fixture in [jpeg, png] {
        try fixture.write("t.yaml", spec)
        let report = try await fixture.run("t.yaml")
        let task = try #require(report.tasks.first { $0.task.hasPrefix("tile") })
        #expect(task.status == .ran, "\(task.error ?? "")")
        #expect(task.metrics["tiles"]?.intValue ?? 0 > 0)
        outputs.append(task.output)
    }
    #expect(outputs[0] != nil && outputs[0] == outputs[1])
    // a JPEG mask is not taken for the PNG one it should be
    try fm.moveItem(at: jpeg.dir.file("external/masks/ext_0000.png"), to: jpeg.dir.file("external/masks/ext_0000.jpg"))
    let broken = try await jpeg.run("t.yaml", force: ["tile"])
    let failure = try #require(broken.tasks.first { $0.status == .failed })
    #expect(failure.error?.contains("external image 'ext_0000.jpg' has no mask masks/ext_0000.png (masks/ext_0000.jpg is not used") == true, "\(failure.error ?? "")")
}
