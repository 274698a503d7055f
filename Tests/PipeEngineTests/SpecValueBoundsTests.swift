import EngineTestSupport
import Foundation
import PipeCore
import PipeEngine
import PipeSpec
import PipeStages
import Testing
import TestSupport

/// The samples of issue 14 against the real stage kinds: values outside the
/// schema's ranges are located errors at load time, all reported at once.
@Test func hostileValuesOfTheRealKindsAreLocatedErrors() throws {
    let fixture = try EngineFixture()
    defer { fixture.remove() }
    try fixture.write("p.yaml", """
        pipeline: p
        data:
          train: {synthetic: {images: 2, side: 1024, test_images: 9223372036854775807}}
        stages:
          tile: {kind: tile, from: data.train, min_pixels: 9223372036854775807}
          augment: {kind: augment, from: tile, flip: .nan, elastic: {p: 0.5, sigma: .inf}}
          train: {kind: train, from: augment, optimizer: {name: adam, lr: .nan}}
          validate: {kind: validate, from: train, tiles: tile, images: data.train, thresholds: [0.5, 5e-1]}
        """)
    var messages: [String] = []
    do { _ = try fixture.load("p.yaml") } catch let diagnostics as Diagnostics { messages = diagnostics.all.map(\.message) }
    #expect(messages.contains("'data.train.synthetic.test_images': must be at most 10000, got 9223372036854775807"), "\(messages)")
    #expect(messages.contains("'tile.min_pixels': must be at most 1099511627776, got 9223372036854775807"))
    #expect(messages.contains("'augment.flip': must be a finite number, got .nan"))
    #expect(messages.contains("'augment.elastic.sigma': must be a finite number, got .inf"))
    #expect(messages.contains("'train.optimizer.lr': must be a finite number, got .nan"))
    #expect(messages.contains("'validate.thresholds': item 0.5 repeats item 0 (line 8); remove one"))
    #expect(messages.count == 6, "\(messages)")
}

@Test func theRepositorysSpecsStillLoadWithTheRealKinds() throws {
    let root = PipeRepository.root
    let loader = SpecLoader(registry: StageRegistry.standard.kinds)
    for directory in ["pipelines", "examples/hello", "examples/tiles"] {
        let files = try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent(directory).path)
        for file in files where file.hasSuffix(".yaml") {
            let url = root.appendingPathComponent(directory).appendingPathComponent(file)
            #expect(throws: Never.self, "\(directory)/\(file)") { _ = try loader.load(file: url) }
        }
    }
}
