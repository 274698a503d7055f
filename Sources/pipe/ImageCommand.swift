import ArgumentParser
import Foundation
import Imaging

/// `pipe image info|crop`: inspect TIFF/PNG files and cut windows out of them.
struct ImageCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "image", abstract: "Inspect TIFF/PNG images and crop windows.",
        subcommands: [ImageInfoCommand.self, ImageCropCommand.self])
}

/// Exits with status 2 and a one-line message for input errors from the Imaging module.
func imagingFailure(_ error: ImagingError) -> ExitCode {
    usageFailure(error.description)
}

/// Prints `error: message` to stderr and returns exit code 2 (usage or input error).
func usageFailure(_ message: String) -> ExitCode {
    FileHandle.standardError.write(Data("error: \(message)\n".utf8))
    return ExitCode(2)
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
        } catch { throw imagingFailure(error) }
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

    func validate() throws {
        guard reduce >= 1 else { throw usageFailure("--reduce must be at least 1, got '\(reduce)'") }
        guard w > 0, h > 0, w % reduce == 0, h % reduce == 0 else {
            throw usageFailure("window '\(w)x\(h)' must be positive multiples of --reduce \(reduce)")
        }
        let ext = (output as NSString).pathExtension.lowercased()
        guard ["png", "tif", "tiff"].contains(ext) else { throw usageFailure("output '\(output)' must end in .png, .tif or .tiff") }
        _ = try readOptions()
    }

    /// `--value-range LO:HI` as read options: 0 <= LO < HI <= 65535.
    func readOptions() throws -> TiffReadOptions {
        guard let valueRange else { return TiffReadOptions() }
        let parts = valueRange.split(separator: ":", omittingEmptySubsequences: false).map { Int($0) }
        guard parts.count == 2, let lo = parts[0], let hi = parts[1], lo >= 0, lo < hi, hi <= 65535 else {
            throw usageFailure("--value-range '\(valueRange)' must be LO:HI with 0 <= LO < HI <= 65535, e.g. 1000:7000")
        }
        return TiffReadOptions(window: lo...hi)
    }

    func run() throws {
        let readOptions = try readOptions()
        do {
            let (pixels, ow, oh) = try ImageSummary.window(path: file, level: level, x: x, y: y, w: w, h: h, reduce: reduce,
                                                           options: readOptions)
            let image = PixelImage(width: ow, height: oh, channels: 3, pixels: pixels)
            if output.lowercased().hasSuffix(".png") {
                try PNGFile.write(image, path: output)
            } else {
                let options = TiffWriteOptions(compression: .deflate, tileSize: 256)
                let writer = try TiffWriter(path: output, width: ow, height: oh, channels: 3, options: options)
                var top = 0
                while top < oh {
                    let rows = min(options.bandRows, oh - top)
                    try pixels.withUnsafeBufferPointer { (b) throws(ImagingError) in
                        try writer.write(band: UnsafeBufferPointer(rebasing: b[(top * ow * 3)..<((top + rows) * ow * 3)]), rows: rows)
                    }
                    top += rows
                }
                try writer.finish()
            }
            print("wrote \(output) (\(ow) x \(oh))")
        } catch { throw imagingFailure(error) }
    }
}
