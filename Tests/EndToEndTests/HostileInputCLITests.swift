import Foundation
import Imaging
import NeuralNet
import TestSupport
import Testing

/// The hostile samples of issue 14 point 6, run through the built binary: each is one clear error
/// line naming the file or option and the field (exit 2), never a trap, a fatal allocation or a
/// process that grows to gigabytes.
@Suite struct HostileInputCLITests {
    static let corpus = PipeBinary.repositoryRoot.appendingPathComponent("Fuzz")

    /// Runs `pipe` under GNU time (installed by `scripts/install-deps.sh --test`); returns the result
    /// and the peak resident memory in MiB. Without GNU time the test fails: the memory must be measured.
    static func runMeasured(_ arguments: [String], in directory: String, stdin: String? = nil,
                            environment extra: [String: String] = [:]) throws -> (ProcessResult, Int) {
        var environment = ProcessInfo.processInfo.environment
        environment.merge(extra) { _, new in new }
        try #require(FileManager.default.isExecutableFile(atPath: "/usr/bin/time"),
                     "GNU time is missing; run scripts/install-deps.sh --test")
        let report = directory + "/rss-\(UUID().uuidString)"
        let result = try runProcess("/usr/bin/time", ["-o", report, "-f", "%M", PipeBinary.path] + arguments,
                                    cwd: directory, environment: environment, stdin: stdin)
        let kib = Int((try? String(contentsOfFile: report, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "") ?? -1
        return (result, kib / 1024)
    }

    static func expectRefusal(_ result: ProcessResult, _ phrases: [String], _ context: String) {
        #expect(result.status == 2, "\(context): status \(result.status), \(result.stderr)")
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1 && result.stderr.hasPrefix("error: "), "\(context): \(result.stderr)")
        for phrase in phrases { #expect(result.stderr.contains(phrase), "\(context): '\(phrase)' not in \(result.stderr)") }
    }

    static func smallPNG(_ dir: TemporaryDirectory, side: Int = 64) throws -> String {
        let path = dir.file("small.png").path
        try PNGFile.write(PixelImage(width: side, height: side, channels: 3, pixels: [UInt8](repeating: 90, count: side * side * 3)), path: path)
        return path
    }

    @Test
    func cropAndRLEOptionsThatOverflowAreRefused() throws {
        let dir = try TemporaryDirectory("hostile-cli")
        defer { dir.remove() }
        _ = try Self.smallPNG(dir)
        let crop = try PipeBinary.run(["image", "crop", "small.png", "--x", "9223372036854775807", "--y", "0", "--w", "16", "--h", "16", "-o", "o.png"], in: dir.path)
        Self.expectRefusal(crop, ["small.png", "window x 9223372036854775807 is outside the range"], "crop --x")
        let cropY = try PipeBinary.run(["image", "crop", "small.png", "--x", "0", "--y", "-9223372036854775808", "--w", "16", "--h", "16", "-o", "o.png"], in: dir.path)
        Self.expectRefusal(cropY, ["window y -9223372036854775808"], "crop --y")
        let (wide, wideMiB) = try Self.runMeasured(["rle", "decode", "--width", "4294967296", "--height", "1", "-o", "m.png"], in: dir.path, stdin: "1 5")
        Self.expectRefusal(wide, ["mask size (--width x --height) 4294967296 x 1", "largest side"], "rle decode --width")
        #expect(wideMiB < 200, "rle decode peaked at \(wideMiB) MiB")
        let big = try runProcess(PipeBinary.path, ["rle", "decode", "--width", "65536", "--height", "65537", "-o", "m.png"], cwd: dir.path, stdin: "")
        Self.expectRefusal(big, ["65536 x 65537", "PIPE_MAX_PIXELS"], "rle decode over the pixel budget")
        #expect(!FileManager.default.fileExists(atPath: dir.file("m.png").path))
    }

    @Test
    func hostilePNGsAreRefusedWithinSmallMemory() throws {
        let dir = try TemporaryDirectory("hostile-cli")
        defer { dir.remove() }
        let huge = Self.corpus.appendingPathComponent("corpus/png/huge-header.png").path   // IHDR 100000 x 100000
        let (crop, cropMiB) = try Self.runMeasured(["image", "crop", huge, "--x", "0", "--y", "0", "--w", "256", "--h", "256", "-o", "o.png"], in: dir.path)
        Self.expectRefusal(crop, ["huge-header.png", "PNG header size 100000 x 100000", "PIPE_MAX_PIXELS"], "crop of a 100000^2 PNG")
        #expect(cropMiB < 200, "crop peaked at \(cropMiB) MiB")
        let damaged = Self.corpus.appendingPathComponent("regressions/png/damaged-interlaced-17300x17300.png").path
        for arguments in [["image", "crop", damaged, "--x", "0", "--y", "0", "--w", "64", "--h", "64", "-o", "o.png"], ["rle", "encode", damaged]] {
            let (result, mib) = try Self.runMeasured(arguments, in: dir.path)
            Self.expectRefusal(result, ["damaged-interlaced-17300x17300.png", "17300 x 17300", "more than a 170-byte file can hold"], arguments[0])
            #expect(mib < 200, "\(arguments[0]) of the 170-byte PNG peaked at \(mib) MiB")
        }
        let text = Self.corpus.appendingPathComponent("regressions/png/oom-text-chunk-claims-1.9GB.png").path   // found by fuzzing
        let (info, infoMiB) = try Self.runMeasured(["image", "info", text], in: dir.path)
        Self.expectRefusal(info, ["oom-text-chunk-claims-1.9GB.png", "not a readable PNG"], "image info of a 1.9 GB tEXt chunk")
        #expect(infoMiB < 200, "image info peaked at \(infoMiB) MiB")
    }

    /// PIPE_MAX_PIXELS lowers the budget: the same crop that succeeds by default is refused.
    @Test func pixelBudgetIsConfigurable() throws {
        let dir = try TemporaryDirectory("hostile-cli")
        defer { dir.remove() }
        _ = try Self.smallPNG(dir)
        let arguments = ["image", "crop", "small.png", "--x", "0", "--y", "0", "--w", "64", "--h", "64", "-o", "o.png"]
        let fine = try PipeBinary.run(arguments, in: dir.path)
        #expect(fine.status == 0, "\(fine.stderr)")
        let limited = try PipeBinary.run(arguments, in: dir.path, environment: ["PIPE_MAX_PIXELS": "1000"])
        Self.expectRefusal(limited, ["small.png", "over the budget of 1000 pixels", "PIPE_MAX_PIXELS"], "PIPE_MAX_PIXELS=1000")
        let bytes = try PipeBinary.run(arguments, in: dir.path, environment: ["PIPE_MAX_BYTES": "4096"])
        Self.expectRefusal(bytes, ["small.png", "PIPE_MAX_BYTES"], "PIPE_MAX_BYTES=4096")
    }

    /// A model run on an .npy whose shape is 2^62, and a config with decoder_channels 100000000.
    @Test func modelRunRefusesHugeShapesAndChannels() throws {
        let dir = try TemporaryDirectory("hostile-cli")
        defer { dir.remove() }
        let model = try SegmentationModel(SegmentationModelConfig(arch: .unet, encoder: .resnet18, encoderDepth: 1, decoderChannels: [4]))
        try ModelCheckpoint.save(model, to: dir.file("w.safetensors"))
        let header = "{'descr': '<f4', 'fortran_order': False, 'shape': (4611686018427387904,), }\n"
        var bytes = Data([0x93] + Array("NUMPY".utf8) + [1, 0])
        bytes.append(contentsOf: withUnsafeBytes(of: UInt16(header.utf8.count).littleEndian) { Array($0) })
        bytes.append(Data(header.utf8))
        try bytes.write(to: dir.file("huge.npy"))
        let base = ["model", "run", "--arch", "unet", "--encoder", "resnet18", "--encoder-depth", "1", "--weights", "w.safetensors", "-o", "y.npy"]
        let npy = try PipeBinary.run(base + ["--decoder-channels", "4", "--input", "huge.npy"], in: dir.path)
        Self.expectRefusal(npy, ["huge.npy", "header field 'shape'", "4611686018427387904", "PIPE_MAX_BYTES"], "npy shape 2^62")
        let (wide, mib) = try Self.runMeasured(base + ["--decoder-channels", "100000000", "--input", "huge.npy"], in: dir.path)
        Self.expectRefusal(wide, ["decoder_channels entry 100000000 is over the largest supported, 4096"], "decoder_channels")
        #expect(mib < 500, "model run peaked at \(mib) MiB")
    }

    /// model.json with `size: 1e300` used to trap converting to Int.
    @Test func predictRefusesAbsurdModelMetadata() throws {
        let dir = try TemporaryDirectory("hostile-cli")
        defer { dir.remove() }
        let model = try SegmentationModel(SegmentationModelConfig(arch: .unet, encoder: .resnet18, encoderDepth: 1, decoderChannels: [4]))
        try FileManager.default.createDirectory(at: dir.file("fold"), withIntermediateDirectories: true)
        try ModelCheckpoint.save(model, to: dir.file("fold/best.safetensors"))
        _ = try Self.smallPNG(dir)
        let cases: [(String, [String])] = [
            (#"{"size": 1e300, "reduce": 2, "mean": [1, 2, 3], "std": [1, 1, 1]}"#, ["model.json", "'size' is 1", "whole number from 1 to 16384"]),
            (#"{"size": 64, "reduce": -9223372036854775808, "mean": [1, 2, 3], "std": [1, 1, 1]}"#, ["'reduce' is -9223372036854775808", "1 to 256"]),
            (#"{"size": 64, "reduce": 2, "mean": [1e300, 2, 3], "std": [1, 1, 1]}"#, ["'mean' must be three finite numbers"]),
            (String(repeating: "[", count: 100_000), ["nested more than 64 levels"]),
            // found by the metadata fuzzer: a high surrogate escape followed by a non-low one trapped the JSON parser
            (#"{"size": "\udA1e\udAd1", "reduce": 2, "mean": [1, 2, 3], "std": [1, 1, 1]}"#, ["'size' is", "whole number from 1 to 16384"]),
        ]
        for (json, phrases) in cases {
            try dir.write("fold/model.json", json)
            let result = try PipeBinary.run(["predict", "--model", "fold", "--image", "small.png", "-o", "p.tiff"], in: dir.path)
            Self.expectRefusal(result, phrases, String(json.prefix(60)))
        }
        let window = try PipeBinary.run(["predict", "--model", "fold", "--image", "small.png", "-o", "p.tiff", "--window", "100000"], in: dir.path)
        Self.expectRefusal(window, ["window '100000' must be 1 to 16384"], "--window")
    }
}
