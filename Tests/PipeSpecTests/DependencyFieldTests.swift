import Foundation
import PipeCore
import PipeSpec
import Testing

/// A single-valued `.dependency` field (train's `init`): a path hashed by content, or a stage.
@Test func aSingleDependencyFieldNamesAPathOrAStage() throws {
    let text = """
        stages:
          tile: {kind: tile, from: [tile2]}
          tile2: {kind: tile, from: []}
          train: {kind: train, from: tile, init: weights/enc.safetensors}
        """
    let spec = try loadSpec(text, files: ["weights/enc.safetensors": "x"])
    #expect(spec.stage("train")?.inputs == [.stage("tile"), .path("weights/enc.safetensors")])
    let staged = try loadSpec(text.replacingOccurrences(of: "weights/enc.safetensors", with: "tile2"))
    #expect(staged.stage("train")?.inputs == [.stage("tile"), .stage("tile2")])
    let list = try specErrors(text.replacingOccurrences(of: "init: weights/enc.safetensors", with: "init: [a, b]"))
    #expect(list == ["spec.yaml:4:42: 'train.init': expected a stage name, data.NAME or a path, got a list"])
    let missing = try specErrors(text)
    #expect(missing.count == 1 && missing[0].hasPrefix("spec.yaml:4:42: dependency 'weights/enc.safetensors' is neither"),
            "\(missing)")
}
