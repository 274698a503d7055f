import Foundation
import PipeCore
import TestSupport
import Testing

/// A pipeline whose synthetic source writes its TIFFs as `options` say, and a
/// stage that copies them out to `runs/p/copy/train/`.
private func syntheticPipeline(_ options: String) -> String {
    """
    pipeline: p
    data:
      kidney:
        synthetic: {images: 1, side: 256, seed: 2, \(options)}
    stages:
      copy: {kind: command, deps: [data.kidney], cmd: "cp -R ${deps.data.kidney}/train train", outs: [train]}
    """
}

@Test func syntheticSourceWritesTheLayoutTheSpecAsksFor() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    try dir.write("p.yaml", syntheticPipeline(
        "compression: lzw, predictor: true, layout: planar, tiled: false, rows_per_strip: 16, bigtiff: true"))
    let run = try PipeBinary.run(["run", "p.yaml"], in: dir.path)
    #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
    let train = dir.file("runs/p/copy/train").path
    let tiff = try #require(try FileManager.default.contentsOfDirectory(atPath: train).first { $0.hasSuffix(".tiff") })
    let info = try JSONValue(parsing: try PipeBinary.run(["image", "info", "\(train)/\(tiff)", "--json"], in: dir.path).stdout)
    #expect(info["layout"] == .string("planar"))
    #expect(info["tiled"] == .bool(false))
    #expect(info["tile_height"] == .int(16))
    #expect(info["compression"] == .string("lzw"))
    #expect(info["predictor"] == .int(2))
    #expect(info["bigtiff"] == .bool(true))

    try dir.write("p.yaml", syntheticPipeline("pyramid_levels: 1, compression: deflate, tile_size: 64"))
    #expect(try PipeBinary.run(["run", "p.yaml"], in: dir.path).status == 0)
    let pyramid = try JSONValue(parsing: try PipeBinary.run(["image", "info", "\(train)/\(tiff)", "--json"], in: dir.path).stdout)
    #expect(pyramid["tile_width"] == .int(64))
    #expect(pyramid["levels"]?.arrayValue?.count == 2)

    try dir.write("p.yaml", syntheticPipeline("layout: pages, pyramid_levels: 1, jpeg_quality: 70"))
    #expect(try PipeBinary.run(["run", "p.yaml"], in: dir.path).status == 0)
    let info3 = try JSONValue(parsing: try PipeBinary.run(["image", "info", "\(train)/\(tiff)", "--json"], in: dir.path).stdout)
    #expect(info3["layout"] == .string("pages"))
    #expect(info3["compression"] == .string("jpeg"))
    #expect(info3["levels"]?.arrayValue?.count == 2)
}

@Test func everyReaderPathRefusesALayoutFieldItWouldOverride() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    try dir.write("p.yaml", syntheticPipeline("every_reader_path: true,\n                    compression: none"))
    let run = try PipeBinary.run(["run", "p.yaml"], in: dir.path)
    #expect(run.status == 1)
    #expect(run.stdout.contains("p.yaml:5:34: 'compression' cannot be set together with every_reader_path"),
            "\(run.stdout)")
}
