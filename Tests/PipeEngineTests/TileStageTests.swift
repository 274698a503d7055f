import EngineTestSupport
import Foundation
import Imaging
import PipeCore
import PipeEngine
import Testing

/// A HuBMAP-layout directory with two small synthetic images, plus an external set.
private func makeData(_ fixture: EngineFixture, images: Int = 2) throws {
    try SyntheticKidney.generate(SyntheticKidneyOptions(images: images, side: 512, seed: 4,
                                                        tiff: TiffWriteOptions(compression: .deflate, tileSize: 256)),
                                 into: fixture.dir.file("kaggle"), threads: 2)
    try SyntheticExternal.generate(SyntheticExternalOptions(tiles: 2, side: 256, seed: 2), into: fixture.dir.file("external"))
}

private let tilePipeline = """
    pipeline: tiles
    data: {train: kaggle, external: external}
    stages:
      tile: {kind: tile, from: [data.train], size: 64, reduce: 2, min_pixels: 100}
    """

@Test func tilingFansOutPerImageAndAddingASourceTilesOnlyWhatIsNew() async throws {
    let fixture = try EngineFixture()
    defer { fixture.remove() }
    try makeData(fixture)
    try fixture.write("t.yaml", tilePipeline)
    let first = try await fixture.run("t.yaml")
    let ran = first.tasks(.ran)
    #expect(ran.count == 2 && ran.allSatisfy { $0.hasPrefix("tile[") }, "\(first.tasks.map(\.task))")
    #expect(first.tasks.allSatisfy { $0.status == .ran }, "\(first.tasks.map { "\($0.task): \($0.error ?? "")" })")
    // Adding the external set tiles only it: the per-image tasks stay cached.
    let second = try await fixture.run("t.yaml", overrides: ["tile.from=[data.train, data.external]"])
    #expect(second.tasks(.ran) == ["tile[external]"])
    #expect(second.tasks(.cached) == ran)
    // A tiling param change reruns every tile task, with the reason.
    let third = try await fixture.run("t.yaml", overrides: ["tile.size=32"])
    #expect(third.tasks(.ran) == ran)
    #expect(third.reason(ran[0]) == "param tile.size 64 -> 32")
}

@Test func tileOutputIsIdenticalWithOneOrTwoJobs() async throws {
    let one = try EngineFixture(), two = try EngineFixture()
    defer { one.remove(); two.remove() }
    for fixture in [one, two] {
        try makeData(fixture)
        try fixture.write("t.yaml", tilePipeline)
    }
    let a = try await one.run("t.yaml", jobs: 1), b = try await two.run("t.yaml", jobs: 2)
    #expect(a.tasks.map(\.output) == b.tasks.map(\.output))
    #expect(a.tasks.allSatisfy { $0.output != nil })
}

@Test func trainTableRowWithoutAnImageIsANamedError() async throws {
    let fixture = try EngineFixture()
    defer { fixture.remove() }
    try makeData(fixture, images: 1)
    let csv = fixture.dir.file("kaggle/train.csv")
    try (try String(contentsOf: csv, encoding: .utf8) + "ghost01,1 5\n").write(to: csv, atomically: true, encoding: .utf8)
    try fixture.write("t.yaml", tilePipeline)
    let report = try await fixture.run("t.yaml")
    let failure = try #require(report.tasks.first { $0.status == .failed })
    #expect(failure.error?.contains("train.csv names image 'ghost01'") == true)
}

@Test func externalImageWithoutMaskIsANamedError() async throws {
    let fixture = try EngineFixture()
    defer { fixture.remove() }
    try makeData(fixture, images: 1)
    try FileManager.default.removeItem(at: fixture.dir.file("external/masks/ext_0001.png"))
    try fixture.write("t.yaml", tilePipeline)
    let report = try await fixture.run("t.yaml", overrides: ["tile.from=[data.external]"])
    let failure = try #require(report.tasks.first { $0.status == .failed })
    #expect(failure.error?.contains("external image 'ext_0001.png' has no mask") == true)
}

@Test func changingAnAugmentationProbabilityRerunsAugmentNeverTile() async throws {
    let fixture = try EngineFixture()
    defer { fixture.remove() }
    try makeData(fixture)
    try fixture.write("t.yaml", tilePipeline + """

          augment: {kind: augment, from: tile, flip: 0.5, rotate90: 0.5, color: {p: 0.3, hue: 0.05}, copies: 2, seed: 7}
        """)
    let first = try await fixture.run("t.yaml")
    #expect(first.tasks(.failed).isEmpty, "\(first.tasks.compactMap(\.error))")
    let augmented = try #require(first.tasks.first { $0.task == "augment" })
    #expect(augmented.metrics["augmented_tiles"]?.intValue ?? 0 > 0)
    let second = try await fixture.run("t.yaml", overrides: ["augment.flip=0.25"])
    #expect(second.tasks(.ran) == ["augment"])
    #expect(second.reason("augment") == "param augment.flip 0.5 -> 0.25")
    #expect(second.tasks.filter { $0.stage == "tile" }.allSatisfy { $0.status == .cached })
    // Same policy and seed in a fresh cache: byte-identical augmented copies.
    let again = try EngineFixture()
    defer { again.remove() }
    try makeData(again)
    try again.write("t.yaml", tilePipeline + """

          augment: {kind: augment, from: tile, flip: 0.5, rotate90: 0.5, color: {p: 0.3, hue: 0.05}, copies: 2, seed: 7}
        """)
    let replay = try await again.run("t.yaml")
    #expect(replay.tasks.first { $0.task == "augment" }?.output == augmented.output)
}
