import Foundation
import NeuralNet
import TestSupport
import Testing

/// `pipe model run` on a model built and saved here: the logits it writes equal this
/// process's eval forward, and bad arguments exit 2 with a one-line message.
@Suite struct ModelRunCommandTests {
    /// One model the command is run on, and the options that describe it.
    struct Case: CustomTestStringConvertible, Sendable {
        var config: SegmentationModelConfig
        var arguments: [String]
        var testDescription: String { arguments.joined(separator: " ") }
    }

    static let cases = [
        Case(config: SegmentationModelConfig(arch: .unet, encoder: .resnet18, decoderChannels: [32, 16, 16, 8, 8]),
             arguments: ["--arch", "unet", "--encoder", "resnet18", "--decoder-channels", "32,16,16,8,8"]),
        Case(config: SegmentationModelConfig(arch: .linknet, encoder: .efficientnet(0)),
             arguments: ["--arch", "linknet", "--encoder", "efficientnet-b0"]),
    ]

    /// A model with batch-norm statistics and affine parameters away from their defaults
    /// (so folding them into the convolutions is exercised), saved as `pipe` saves models.
    static func makeModel(_ config: SegmentationModelConfig, saveTo url: URL) throws -> SegmentationModel {
        let model = try SegmentationModel(config, seed: 4)
        var rng = SplitMix64(seed: 5)
        let state = model.stateDict()
        let norms = Set(state.map(\.name).filter { $0.hasSuffix(".running_mean") }.map { String($0.dropLast(".running_mean".count)) })
        var changed: [String: Tensor] = [:]
        for (name, tensor) in state {
            let (prefix, field) = (name.split(separator: ".").dropLast().joined(separator: "."), name.split(separator: ".").last!)
            guard norms.contains(prefix) else { changed[name] = tensor; continue }
            switch field {
            case "weight", "running_var": changed[name] = rng.uniformTensor(tensor.shape, 0.5, 1.5)
            case "bias", "running_mean": changed[name] = rng.uniformTensor(tensor.shape, -0.2, 0.2)
            default: changed[name] = tensor
            }
        }
        try model.load(changed)
        try ModelCheckpoint.save(model, to: url)
        return model
    }

    /// A float32 C-order `.npy` (version 1.0), header written by hand.
    static func writeNpy(_ tensor: Tensor, to url: URL) throws {
        let shape = tensor.shape.count == 1 ? "(\(tensor.shape[0]),)" : "(" + tensor.shape.map(String.init).joined(separator: ", ") + ")"
        var header = "{'descr': '<f4', 'fortran_order': False, 'shape': \(shape), }"
        header += String(repeating: " ", count: (64 - (10 + header.utf8.count + 1) % 64) % 64) + "\n"
        var bytes: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(header.utf8.count & 0xff), UInt8(header.utf8.count >> 8)]
        bytes += Array(header.utf8)
        for v in tensor.storage { withUnsafeBytes(of: v.bitPattern.littleEndian) { bytes += $0 } }
        try Data(bytes).write(to: url)
    }

    @Test(arguments: cases)
    func writesTheEvalForwardOfTheSavedModel(_ c: Case) throws {
        let dir = try TemporaryDirectory("model-run")
        defer { dir.remove() }
        let model = try Self.makeModel(c.config, saveTo: dir.file("w.safetensors"))
        var rng = SplitMix64(seed: 6)
        let x = Tensor(shape: [2, 3, 64, 32], storage: (0..<(2 * 3 * 64 * 32)).map { _ in rng.normal() })
        try Self.writeNpy(x, to: dir.file("x.npy"))
        let result = try PipeBinary.run(["model", "run"] + c.arguments
                                        + ["--weights", "w.safetensors", "--input", "x.npy", "-o", "y.npy", "--threads", "2"], in: dir.path)
        #expect(result.status == 0, "\(result.stderr)")
        let y = try Npy.read(contentsOf: dir.file("y.npy"))
        model.training = false
        let expected = try Compute.$current.withValue(Compute(threads: 2)) { try model.forward(x).value }
        #expect(y.shape == [2, 1, 64, 32])
        #expect(expected.storage.contains { $0 != 0 })
        // The binary may run other OpenBLAS kernels (it re-executes for the CPU's best), so not bit for bit.
        let worst = zip(y.storage, expected.storage).map { abs($0 - $1) / max(1, abs($1)) }.max() ?? .infinity
        #expect(y.shape == expected.shape && worst <= 1e-5, "largest relative difference \(worst)")
    }

    @Test func badArgumentsExitTwoWithOneClearLine() throws {
        let dir = try TemporaryDirectory("model-run")
        defer { dir.remove() }
        let unet = Self.cases[0]
        _ = try Self.makeModel(unet.config, saveTo: dir.file("w.safetensors"))
        try Self.writeNpy(Tensor(shape: [1, 3, 32, 32], repeating: 0.5), to: dir.file("x.npy"))
        try Self.writeNpy(Tensor(shape: [3, 32, 32], repeating: 0.5), to: dir.file("rank3.npy"))
        let cases: [([String], [String])] = [
            (["--arch", "unet", "--encoder", "resnet19", "--weights", "w.safetensors", "--input", "x.npy"],
             ["unknown encoder 'resnet19'", "resnet18"]),
            (["--arch", "unet++", "--encoder", "resnet18", "--weights", "w.safetensors", "--input", "x.npy"],
             ["unknown architecture 'unet++'", "linknet"]),
            (unet.arguments + ["--weights", "w.safetensors", "--input", "rank3.npy"],
             ["rank3.npy", "model input has shape [3, 32, 32]", "[n, 3, h, w]"]),
            (unet.arguments + ["--weights", "missing.safetensors", "--input", "x.npy"],
             ["missing.safetensors", "cannot read safetensors file"]),
            (["--arch", "linknet", "--encoder", "resnet18", "--weights", "w.safetensors", "--input", "x.npy"],
             ["w.safetensors", "does not fit"]),
            (unet.arguments + ["--weights", "w.safetensors", "--input", "missing.npy"],
             ["missing.npy", "cannot read .npy file"]),
        ]
        for (arguments, phrases) in cases {
            let result = try PipeBinary.run(["model", "run"] + arguments + ["-o", "y.npy"], in: dir.path)
            #expect(result.status == 2, "\(arguments): \(result.stderr)")
            #expect(result.stderr.hasPrefix("error: ") && result.stderr.split(separator: "\n").count == 1, "\(arguments): \(result.stderr)")
            for phrase in phrases { #expect(result.stderr.contains(phrase), "\(arguments): \(result.stderr)") }
            #expect(!FileManager.default.fileExists(atPath: dir.file("y.npy").path), "\(arguments): wrote an output")
        }
    }
}
