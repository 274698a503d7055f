import ArgumentParser
import Foundation
import Imaging

/// `pipe image info|crop`: inspect TIFF, PNG and JPEG files and cut windows out of them.
struct ImageCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "image", abstract: "Inspect TIFF, PNG and JPEG images and crop windows.",
        subcommands: [ImageInfoCommand.self, ImageCropCommand.self])
}

struct ImageInfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info", abstract: "Size, layout, levels, tiling and compression of a TIFF (or PNG, JPEG); why pipe cannot decode it, if so.")

    @Argument(help: "A TIFF, PNG or JPEG file.") var file: String
    @Flag(help: "Print one JSON object.") var json = false

    func run() throws {
        do {
            let summary = try ImageSummary.of(path: file)
            print(json ? summary.json : summary.text)
        } catch { throw Failure.usage("\(error)") }
    }
}

struct ImageCropCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "crop", abstract: "Write a window of an image (area-averaged by --reduce) to PNG or TIFF.")

    @Argument(help: "A TIFF, PNG or JPEG file.") var file: String
    // unconditional: `--x -16` takes -16 as the value instead of reading it as an option
    @Option(parsing: .unconditional, help: "Left edge, full-resolution pixels (may be negative: outside reads as 0).") var x: Int
    @Option(parsing: .unconditional, help: "Top edge (may be negative).") var y: Int
    @Option(help: "Window width (a multiple of --reduce).") var w: Int
    @Option(help: "Window height (a multiple of --reduce).") var h: Int
    @Option(help: "Integer downscale factor (area average).") var reduce = 1
    @Option(help: "Pyramid level to read.") var level = 0
    @Option(name: .customLong("value-range"),
            help: "TIFF sample values LO:HI mapped onto 0-255 (a window/level for 16-bit slides; default the whole range, 16-bit scaled by round(v/257)).")
    var valueRange: String?
    @Option(name: .shortAndLong, help: "Output .png, .tif or .tiff.") var output: String

    /// Argument problems, thrown from `run` so they exit 2 through the one error renderer.
    func checkArguments() throws {
        guard reduce >= 1 else { throw Failure.usage("--reduce must be at least 1, got '\(reduce)'") }
        guard w > 0, h > 0, w % reduce == 0, h % reduce == 0 else {
            throw Failure.usage("window '\(w)x\(h)' must be positive multiples of --reduce \(reduce)")
        }
        let ext = (output as NSString).pathExtension.lowercased()
        guard ["png", "tif", "tiff"].contains(ext) else { throw Failure.usage("output '\(output)' must end in .png, .tif or .tiff") }
    }

    /// `--value-range LO:HI` as read options: 0 <= LO < HI <= 65535.
    func readOptions() throws -> TiffReadOptions {
        guard let valueRange else { return TiffReadOptions() }
        let parts = valueRange.split(separator: ":", omittingEmptySubsequences: false).map { Int($0) }
        guard parts.count == 2, let lo = parts[0], let hi = parts[1], lo >= 0, lo < hi, hi <= 65535 else {
            throw Failure.usage("--value-range '\(valueRange)' must be LO:HI with 0 <= LO < HI <= 65535, e.g. 1000:7000")
        }
        return TiffReadOptions(window: lo...hi)
    }

    func run() throws {
        try checkArguments()
        let readOptions = try readOptions()
        do {
            let (pixels, ow, oh) = try ImageSummary.window(path: file, level: level, x: x, y: y, w: w, h: h, reduce: reduce,
                                                           options: readOptions)
            let image = PixelImage(width: ow, height: oh, channels: 3, pixels: pixels)
            if output.lowercased().hasSuffix(".png") {
                try PNGFile.write(image, path: output)
            } else {
                try TiffWriter.write(pixels, width: ow, height: oh, channels: 3, path: output,
                                     options: TiffWriteOptions(compression: .deflate, tileSize: 256))
            }
            print("wrote \(output) (\(ow) x \(oh))")
        } catch { throw Failure.usage("\(error)") }
    }
}
