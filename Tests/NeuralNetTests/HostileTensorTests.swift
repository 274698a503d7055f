import Foundation
import NeuralNet
import Testing
import TestSupport

/// Shapes and sizes in .npy and safetensors headers and in model configurations are checked with
/// overflow-safe arithmetic against `TensorLimits` before anything is allocated.
@Suite struct HostileTensorTests {
    static func npy(shape: String, descr: String = "<f4", data: [UInt8] = []) -> Data {
        var header = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(shape), }"
        header += String(repeating: " ", count: (64 - (10 + header.utf8.count + 1) % 64) % 64) + "\n"
        var out: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0]
        out.appendLE(UInt16(header.utf8.count))
        return Data(out + Array(header.utf8) + data)
    }

    static func expectCheckpointError(_ phrases: [String], _ body: () throws -> Void) {
        #expect {
            try body()
        } throws: { error in
            guard let e = error as? CheckpointError else { return false }
            return phrases.allSatisfy(e.description.contains)
        }
    }

    /// shape 2^62 used to trap multiplying by the element size.
    @Test func npyShapeOfTwoToTheSixtySecondIsRefused() {
        for (shape, descr) in [("(4611686018427387904,)", "<f4"), ("(4611686018427387904,)", "<f8"), ("(1099511627776, 4)", "|u1")] {
            Self.expectCheckpointError(["huge.npy", "header field 'shape'", "PIPE_MAX_BYTES"]) {
                _ = try Npy.decode(Self.npy(shape: shape, descr: descr), path: "huge.npy")
            }
        }
        Self.expectCheckpointError(["huge.npy", "more elements than can be counted"]) {
            _ = try Npy.decode(Self.npy(shape: "(4294967296, 4294967296)"), path: "huge.npy")
        }
        // a zero extent keeps the count 0 whatever follows, as numpy has it
        #expect((try? Npy.decode(Self.npy(shape: "(0, 1099511627776)"), path: "empty.npy"))?.count == 0)
    }

    @Test func safetensorsShapeOverTheBudgetIsRefused() {
        let header = #"{"a":{"dtype":"F32","shape":[2147483648,2147483648],"data_offsets":[0,8]}}"#
        Self.expectCheckpointError(["big.safetensors", "tensor 'a'", "'shape'", "PIPE_MAX_BYTES"]) {
            _ = try Safetensors.decode(Data([UInt8].safetensors(header: header, data: [UInt8](repeating: 0, count: 8))), path: "big.safetensors")
        }
    }

    /// decoder_channels: 100000000 used to die allocating the first block's weights.
    @Test func hugeDecoderChannelsAreRefusedBeforeAllocating() throws {
        let config = SegmentationModelConfig(arch: .unet, encoder: .resnet18, encoderDepth: 2, decoderChannels: [100_000_000, 8])
        #expect {
            _ = try SegmentationModel(config)
        } throws: { error in
            (error as? NeuralNetError)?.message.contains("decoder_channels entry 100000000 is over the largest supported, 4096") == true
        }
        let metadata = ["pipe.arch": "unet", "pipe.encoder": "resnet18", "pipe.encoder_depth": "2",
                        "pipe.decoder_channels": "100000000,8", "pipe.classes": "1"]
        #expect(throws: NeuralNetError.self) { try ModelCheckpoint.configuration(metadata, path: "m.safetensors").validate() }
        let classes = SegmentationModelConfig(arch: .linknet, encoder: .resnet18, classes: 1 << 40)
        #expect(throws: NeuralNetError.self) { try classes.validate() }
    }

    /// Every block at the per-block cap still asks for gigabytes: the weight budget refuses it.
    @Test func decoderWithinPerBlockCapButOverTheWeightBudgetIsRefused() {
        let wide = SegmentationModelConfig(arch: .unet, encoder: .resnet34, encoderDepth: 5, decoderChannels: [4096, 4096, 4096, 4096, 4096])
        #expect {
            try wide.validate()
        } throws: { error in
            guard let e = error as? NeuralNetError else { return false }
            return e.message.contains("MiB of decoder weights") && e.message.contains("PIPE_MAX_BYTES")
        }
        #expect(throws: Never.self) {
            try SegmentationModelConfig(arch: .unet, encoder: .resnet34, decoderChannels: [1024, 512, 256, 128, 64]).validate()
        }
    }

    @Test func tensorLimitsReportOverflowAndBudget() {
        guard case .failure(let overflow) = TensorLimits.elementCount([Int.max, 2], elementSize: 4) else { Issue.record("accepted"); return }
        #expect(overflow.message.contains("more elements than can be counted"))
        guard case .failure(let negative) = TensorLimits.elementCount([3, -1], elementSize: 4) else { Issue.record("accepted"); return }
        #expect(negative.message.contains("negative"))
        guard case .success(let n) = TensorLimits.elementCount([2, 3, 4], elementSize: 2) else { Issue.record("refused"); return }
        #expect(n == 24)
    }
}
