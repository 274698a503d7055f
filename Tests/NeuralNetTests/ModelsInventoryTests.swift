import Foundation
import NeuralNet
import Testing

/// pipe's models register exactly smp's state-dict names and shapes
/// (Tests/Fixtures/NeuralNet/smp_inventory.json, made by
/// scripts/nn/smp/make_inventory.py from segmentation_models_pytorch 0.6.0).
@Suite struct ModelsInventoryTests {
    static let inventory: [String: [(String, [Int])]] = {
        guard let data = try? Data(contentsOf: NNFixtures.url("smp_inventory.json")),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: [[Any]]] else { return [:] }
        return object.mapValues { list in list.map { ($0[0] as! String, ($0[1] as! [NSNumber]).map(\.intValue)) } }
    }()

    /// "unet-efficientnet-b3-3" -> its configuration (depth-3 Unets use decoder 64, 32, 16).
    static func config(_ key: String) -> SegmentationModelConfig {
        var parts = key.split(separator: "-").map(String.init)
        let depth = Int(parts.removeLast())!
        let arch = SegmentationArch(rawValue: parts.removeFirst())!
        let encoder = EncoderName(parts.joined(separator: "-"))!
        let channels = arch == .unet && depth == 3 ? [64, 32, 16] : nil
        return SegmentationModelConfig(arch: arch, encoder: encoder, encoderDepth: depth, decoderChannels: channels)
    }

    @Test func inventoryCoversEveryArchAndEncoder() {
        #expect(Self.inventory.count == 23)
        for arch in SegmentationArch.allCases {
            for encoder in EncoderName.all { #expect(Self.inventory["\(arch.rawValue)-\(encoder)-5"] != nil) }
        }
    }

    /// Every model in the inventory, one at a time: the largest (unet-efficientnet-b7, 67M
    /// parameters) needs about 270 MB, so running them side by side would multiply that.
    /// Measured on 2 busy cores: the six largest EfficientNets take 0.9 s together; the
    /// ResNets (normal-distributed init) dominate at about 1.2 s each; all 23 take about 12 s.
    @Test(.serialized, arguments: inventory.keys.sorted())
    func namesAndShapesMatchSmp(_ key: String) throws {
        let expected = try #require(Self.inventory[key])
        let model = try SegmentationModel(Self.config(key))
        let ours = model.stateDict().map { ($0.name, $0.tensor.shape) }
        let theirs = Dictionary(uniqueKeysWithValues: expected)
        let mine = Dictionary(uniqueKeysWithValues: ours)
        let missing = theirs.keys.filter { mine[$0] == nil }.sorted()
        let unexpected = mine.keys.filter { theirs[$0] == nil }.sorted()
        #expect(missing.isEmpty, "missing: \(missing.prefix(5))")
        #expect(unexpected.isEmpty, "unexpected: \(unexpected.prefix(5))")
        for (name, shape) in expected where mine[name] != nil {
            #expect(mine[name] == shape, "\(name): ours \(mine[name]!), smp \(shape)")
        }
    }

    @Test func efficientNetScalingMatchesSmpOutChannels() {
        // smp's efficient_net_encoders[...]["params"]["out_channels"].
        let smp: [String: [Int]] = [
            "efficientnet-b0": [3, 32, 24, 40, 112, 320], "efficientnet-b1": [3, 32, 24, 40, 112, 320],
            "efficientnet-b2": [3, 32, 24, 48, 120, 352], "efficientnet-b3": [3, 40, 32, 48, 136, 384],
            "efficientnet-b4": [3, 48, 32, 56, 160, 448], "efficientnet-b5": [3, 48, 40, 64, 176, 512],
            "efficientnet-b6": [3, 56, 40, 72, 200, 576], "efficientnet-b7": [3, 64, 48, 80, 224, 640],
        ]
        for name in EfficientNetConfig.names {
            let config = EfficientNetConfig(named: name)!
            #expect(config.outChannels == smp[name], "\(name)")
            #expect(config.outIndexes.last == config.blocks.count - 1, "\(name): last feature is the last block")
        }
        // Paper table: B0 has 16 blocks; B7 (depth 3.1) 55; head 1280 * width.
        #expect(EfficientNetConfig(named: "efficientnet-b0")!.blocks.count == 16)
        #expect(EfficientNetConfig(named: "efficientnet-b7")!.blocks.count == 55)
        #expect(EfficientNetConfig(named: "efficientnet-b7")!.headChannels == 2560)
        #expect(EfficientNetConfig(named: "efficientnet-b8") == nil)
    }

    @Test func staticPaddingFollowsTheNominalResolution() {
        // B0 at 224: every stride-2 conv sees an even size, so TF "same" pads (k-2)/2 before, the rest after.
        let b0 = EfficientNetConfig(named: "efficientnet-b0")!
        #expect(b0.stemPadding == (0, 1))
        let strided0 = b0.blocks.filter { $0.stride == 2 }.map { [$0.padding.before, $0.padding.after] }
        #expect(strided0 == [[0, 1], [1, 2], [0, 1], [1, 2]])
        // B2 at 260: sizes 130, 65, 33, 17 -> odd sizes pad symmetrically.
        let b2 = EfficientNetConfig(named: "efficientnet-b2")!
        let strided2 = b2.blocks.filter { $0.stride == 2 }.map { [$0.padding.before, $0.padding.after] }
        #expect(strided2 == [[0, 1], [2, 2], [1, 1], [2, 2]])
        // Stride-1 depthwise convs pad (k-1)/2 on each side.
        #expect(b2.blocks.filter { $0.stride == 1 }.allSatisfy { $0.padding.before == $0.kernel / 2 && $0.padding.after == $0.kernel / 2 })
    }

    @Test func rejectsWhatSmpRejects() {
        #expect(throws: NeuralNetError.self) { try SegmentationModel(SegmentationModelConfig(arch: .unet, encoder: .efficientnet(0), encoderDepth: 1)) }
        #expect(throws: NeuralNetError.self) { try SegmentationModel(SegmentationModelConfig(arch: .unet, encoder: .resnet18, encoderDepth: 6)) }
        #expect(throws: NeuralNetError.self) {
            try SegmentationModel(SegmentationModelConfig(arch: .unet, encoder: .resnet18, encoderDepth: 5, decoderChannels: [64, 32]))
        }
        #expect(EncoderName("efficientnet-b8") == nil && EncoderName("timm-efficientnet-b0") == nil)
    }

    @Test func refusesInputsThatAreNotMultiplesOfTheOutputStride() throws {
        let model = try SegmentationModel(SegmentationModelConfig(arch: .unet, encoder: .resnet18, encoderDepth: 3, decoderChannels: [8, 8, 8]))
        #expect(throws: NeuralNetError.self) { try model.forward(Tensor(shape: [1, 3, 20, 16])) }
        #expect(throws: NeuralNetError.self) { try model.forward(Tensor(shape: [1, 1, 16, 16])) }
        let y = try model.forward(Tensor(shape: [2, 3, 24, 16], repeating: 0.5))
        #expect(y.shape == [2, 1, 24, 16])
    }
}
