import Foundation
import Imaging
import NeuralNet
import PipeSpec
import PipeStages

/// The parsers pipe exposes to untrusted bytes, one fuzz target each. A target gets arbitrary bytes
/// and must return normally: a thrown error is the expected answer to bad input; a crash, a trap, a
/// sanitizer report, a hang or a giant allocation is a bug. Each target also checks an invariant
/// where one is cheap (a parsed RLE re-encodes to the same mask).
enum FuzzTarget: String, CaseIterable {
    case spec, tiff, png, jpeg, rle, safetensors, npy, metadata

    func run(_ bytes: Data) {
        switch self {
        case .spec: Self.spec(bytes)
        case .tiff: Self.tiff(bytes)
        case .png: Self.png(bytes)
        case .jpeg: Self.jpeg(bytes)
        case .rle: Self.rle(bytes)
        case .safetensors: _ = try? Safetensors.decode(bytes, path: "fuzz.safetensors")
        case .npy: _ = try? Npy.decode(bytes, path: "fuzz.npy")
        case .metadata: Self.metadata(bytes)
        }
    }

    /// The target PIPE_FUZZ_TARGET names (read on the first input); a fuzz run without one stops.
    static let selected: FuzzTarget = {
        let name = ProcessInfo.processInfo.environment["PIPE_FUZZ_TARGET"] ?? ""
        guard let target = FuzzTarget(rawValue: name) else {
            FileHandle.standardError.write(Data("pipe-fuzz: set PIPE_FUZZ_TARGET to one of \(allCases.map(\.rawValue).joined(separator: ", "))\n".utf8))
            exit(2)
        }
        return target
    }()

    /// A per-process scratch directory for targets whose API reads files.
    static let scratch: URL = {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("pipe-fuzz-\(getpid())")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }()

    static func file(_ name: String, _ bytes: Data) -> String {
        let url = scratch.appendingPathComponent(name)
        try? bytes.write(to: url)
        return url.path
    }

    /// The spec loader with every stage kind pipe ships, on the bytes as a spec file.
    static let loader = SpecLoader(registry: KindRegistry(
        stageKinds: [CommandStage().schema, TileStage().schema, AugmentStage().schema, TrainStage().schema,
                     ValidateStage().schema, TTAInferStage().schema, SubmitStage().schema].sorted { $0.name < $1.name },
        dataGenerators: [SyntheticKidneySource().schema, SyntheticExternalSource().schema].sorted { $0.name < $1.name }))

    static func spec(_ bytes: Data) {
        let path = file("spec.yaml", bytes)
        _ = try? loader.load(file: URL(fileURLWithPath: path))
    }

    /// Headers, then a small window at full resolution and reduced, near the origin and the far corner.
    static func tiff(_ bytes: Data) {
        let path = file("image.tif", bytes)
        guard let reader = try? TiffReader(path: path) else { return }
        _ = try? ImageSummary.of(path: path)
        let w = min(reader.width, 64), h = min(reader.height, 64)
        _ = try? reader.readWindow(x: 0, y: 0, width: w, height: h, threads: 1)
        _ = try? reader.readWindow(x: reader.width - 30, y: reader.height - 30, width: 64, height: 64, reduce: 4, threads: 1)
    }

    static func png(_ bytes: Data) {
        let path = file("image.png", bytes)
        _ = try? ImageSummary.of(path: path)
        _ = try? PNGFile.read(path: path, channels: 3)
        _ = try? PNGFile.read(path: path, channels: 1)
        _ = try? ImageSummary.window(path: path, level: 0, x: -2, y: 1, w: 16, h: 16, reduce: 2)
    }

    /// A `.jpg` file as external tile sets and `image info` read it (libjpeg-turbo behind pipe's checks).
    static func jpeg(_ bytes: Data) {
        let path = file("image.jpg", bytes)
        _ = try? ImageSummary.of(path: path)
        _ = try? ImageFile.read(path: path, channels: 3)
        _ = try? JPEGFile.read(path: path, channels: 1)
    }

    /// The first two bytes pick a mask size up to 256 x 256, the rest is RLE text; a parsed mask must
    /// re-encode to itself and rasterise without trapping.
    static func rle(_ bytes: Data) {
        guard bytes.count >= 2 else { return }
        let width = Int(bytes[bytes.startIndex]) + 1, height = Int(bytes[bytes.startIndex + 1]) + 1
        let text = String(decoding: bytes.dropFirst(2), as: UTF8.self)
        guard let mask = try? RLEMask(rle: text, width: width, height: height) else { return }
        guard let again = try? RLEMask(rle: mask.encoded, width: width, height: height), again == mask else {
            fatalError("RLE round trip changed the mask: '\(text)' -> '\(mask.encoded)'")
        }
        let window = mask.window(x: -3, y: -3, width: width + 6, height: height + 6)
        let set = window.reduce(0) { $0 + Int($1) }
        guard set == mask.area else { fatalError("window of the whole mask has \(set) pixels, the mask \(mask.area)") }
        _ = mask.window(x: 1, y: 1, width: 8, height: 8, reduce: 2, mode: .area)
    }

    /// model.json, the same bytes as safetensors metadata values, and the architecture metadata.
    static func metadata(_ bytes: Data) {
        _ = try? InputConventions(json: bytes, source: "model.json")
        let text = String(decoding: bytes, as: UTF8.self)
        let fields = text.split(separator: "\n", maxSplits: 8, omittingEmptySubsequences: false).map(String.init)
        func field(_ i: Int) -> String { i < fields.count ? fields[i] : text }
        let metadata = ["size": field(0), "reduce": field(1), "mean": field(2), "std": field(3),
                        "pipe.arch": field(4), "pipe.encoder": field(5), "pipe.encoder_depth": field(6),
                        "pipe.decoder_channels": field(7), "pipe.classes": field(8)]
        _ = try? InputConventions(metadata: metadata, source: "fuzz.safetensors")
        if let config = try? ModelCheckpoint.configuration(metadata, path: "fuzz.safetensors") {
            try? config.validate()
        }
    }
}
