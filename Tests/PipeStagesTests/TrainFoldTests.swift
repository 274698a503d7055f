import Foundation
import PipeSpec
import PipeCore
@testable import PipeStages
import TestSupport
import Testing

@Test func foldsAreGroupedByImageDeterministicAndExternalSetsAlwaysTrain() throws {
    let dir = try TemporaryDirectory("folds")
    defer { dir.remove() }
    let images = (1...7).map { "img\($0)" }
    try TrainFixtures.tileOutput(in: dir.url, images: images, external: "external", tiles: 2)
    let source = try TrainingSource(InputArtifact(name: "tile", path: dir.url, digest: Digest.of(Data())), location: .init(file: "t.yaml", line: 1, column: 1))
    #expect(source.heldOutCandidates == images.sorted())

    // Same seed, same folds (whatever order the ids come in); another seed, another assignment.
    let a = TrainFolds.assign(images: images, folds: 3, seed: 11)
    #expect(a == TrainFolds.assign(images: images.reversed(), folds: 3, seed: 11))
    #expect(a != TrainFolds.assign(images: images, folds: 3, seed: 12))
    #expect(Dictionary(grouping: a.values, by: { $0 }).mapValues(\.count) == [0: 3, 1: 2, 2: 2])

    var heldOut: [String] = []
    for fold in 0..<3 {
        let split = FoldSplit(source, folds: 3, fold: fold, seed: 11)
        // Every tile of an image is on one side; the external set always trains.
        #expect(Set(split.trainImages).isDisjoint(with: split.validationImages))
        #expect(split.trainImages.contains("external"))
        #expect(!split.validationImages.contains("external"))
        #expect(split.validationImages == a.filter { $0.value == fold }.map(\.key).sorted())
        #expect(split.validation.allSatisfy { $0.copy == 0 && !$0.external })
        heldOut += split.validationImages
    }
    #expect(heldOut.sorted() == images.sorted())
}

@Test func epochOrderBalancesMaskedTilesAndRepeatsPerEpoch() throws {
    let dir = try TemporaryDirectory("order")
    defer { dir.remove() }
    try TrainFixtures.tileOutput(in: dir.url, images: ["a", "b"], tiles: 8)
    let source = try TrainingSource(InputArtifact(name: "tile", path: dir.url, digest: Digest.of(Data())), location: .init(file: "t.yaml", line: 1, column: 1))
    var settings = try TrainSettings(StageSpec(name: "train", kind: "train", config: .object(["batch": .int(4), "seed": .int(1)]),
                                               inputs: [], location: .init(file: "t.yaml", line: 1, column: 1)))
    settings.balance = 0.75
    let order = EpochOrder(source.shards, settings: settings, fold: 0)
    #expect(order.stepsPerEpoch == 4)
    let first = order.steps(epoch: 0)
    #expect(first == order.steps(epoch: 0))
    #expect(first != order.steps(epoch: 1))
    for step in first {
        let masked = step.filter { order.positives.contains($0) }.count
        #expect(masked == 3, "\(step)")
    }
    settings.reshuffle = false
    let fixed = EpochOrder(source.shards, settings: settings, fold: 0)
    #expect(fixed.steps(epoch: 0) == fixed.steps(epoch: 5))
}

/// The batch-norm recompute draws distinct tiles at random, so its batches mix
/// images as training batches do; shard order would put one image in each.
@Test func batchNormSampleIsDistinctRandomAndMixesShards() throws {
    let dir = try TemporaryDirectory("bn-sample")
    defer { dir.remove() }
    try TrainFixtures.tileOutput(in: dir.url, images: ["a", "b", "c", "d"], tiles: 16)
    let source = try TrainingSource(InputArtifact(name: "tile", path: dir.url, digest: Digest.of(Data())), location: .init(file: "t.yaml", line: 1, column: 1))
    let settings = try TrainSettings(StageSpec(name: "train", kind: "train", config: .object(["batch": .int(8), "seed": .int(1)]),
                                               inputs: [], location: .init(file: "t.yaml", line: 1, column: 1)))
    let order = EpochOrder(source.shards, settings: settings, fold: 0)
    let sample = order.batchNormSample(32)
    #expect(sample.count == 32 && Set(sample).count == 32)
    #expect(sample == order.batchNormSample(32))
    #expect(sample != EpochOrder(source.shards, settings: settings, fold: 1).batchNormSample(32))
    #expect(Set(order.batchNormSample(1000)) == Set(order.samples.indices))
    for start in stride(from: 0, to: 32, by: 8) {
        let shards = Set(sample[start..<start + 8].map { order.samples[$0].shard })
        #expect(shards.count >= 2, "batch \(start / 8) draws from one image only: \(shards)")
    }
}
