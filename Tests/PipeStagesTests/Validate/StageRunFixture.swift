import Foundation
import Imaging
import PipeCore
@testable import PipeStages
import PipeSpec
import TestSupport

/// Runs one stage task directly (no engine): a spec-less `StageSpec`, inputs
/// as directories, a fresh output directory.
func runStage(_ implementation: any StageImplementation, name: String, config: [String: JSONValue],
              inputs: [String: URL], in dir: TemporaryDirectory) async throws -> (outcome: TaskOutcome, output: URL) {
    let output = dir.file("out-\(name)"), scratch = dir.file("scratch-\(name)")
    try? FileManager.default.removeItem(at: output)
    for folder in [output, scratch] { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true) }
    let stage = StageSpec(name: name, kind: implementation.kind, config: .object(config), inputs: [],
                          location: SourceLocation(file: "spec.yaml", line: 1, column: 1))
    let artifacts = inputs.map { InputArtifact(name: $0.key, path: $0.value, digest: Digest.of(Data($0.key.utf8))) }
    let context = TaskContext(pipeline: "test", stage: stage, item: .single, inputs: artifacts, specDirectory: dir.url,
                              outputDirectory: output, scratchDirectory: scratch, threads: 1, progress: { _, _ in })
    return (try await implementation.run(context), output)
}

/// Writes a single-channel uint8 TIFF (tiled, deflate), as tta-infer writes probability maps.
func writeGrayTiff(_ pixels: [UInt8], width: Int, height: Int, to url: URL) throws {
    try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    let writer = try TiffWriter(path: url.path, width: width, height: height, channels: 1,
                                options: TiffWriteOptions(compression: .deflate, tiled: true, tileSize: 16))
    var top = 0
    while top < height {
        let rows = min(writer.options.bandRows, height - top)
        try pixels.withUnsafeBufferPointer { all in
            try writer.write(band: UnsafeBufferPointer(rebasing: all[(top * width)..<((top + rows) * width)]), rows: rows)
        }
        top += rows
    }
    try writer.finish()
}
