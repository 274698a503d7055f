import ArgumentParser
import Foundation
import Imaging

/// `pipe rle encode|decode`: Kaggle run-length encoding <-> PNG masks.
struct RLECommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rle", abstract: "Kaggle RLE (1-indexed, column-major 'start length' pairs) <-> PNG masks.",
        subcommands: [RLEEncodeCommand.self, RLEDecodeCommand.self])
}

struct RLEEncodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "encode", abstract: "Print the RLE of a mask PNG (any non-zero pixel is set), streamed row by row.")

    @Argument(help: "A mask PNG.") var mask: String

    func run() throws {
        do {
            let (w, h) = try PNGFile.size(path: mask)
            var encoder = RLEEncoder(width: w, height: h)
            try PNGFile.readRows(path: mask, channels: 1, keep: false) { _, row in encoder.append(row: row) }
            print(encoder.finish().encoded)
        } catch { throw imagingFailure(error) }
    }
}

struct RLEDecodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decode", abstract: "Write the mask PNG (0/255) of an RLE read from stdin or from a CSV row.")

    @Option(help: "Mask width.") var width: Int
    @Option(help: "Mask height.") var height: Int
    @Option(help: "Read the RLE from this CSV (id,encoding or id,predicted) instead of stdin.") var csv: String?
    @Option(help: "The row id to take from --csv.") var id: String?
    @Option(name: .shortAndLong, help: "Output PNG.") var output: String

    func validate() throws {
        guard width > 0, height > 0 else { throw usageFailure("mask size '\(width)x\(height)' must be positive") }
        guard (csv == nil) == (id == nil) else { throw usageFailure("--csv and --id go together") }
    }

    func run() throws {
        do {
            let (text, source) = try rleText()
            let mask = try RLEMask(rle: text, width: width, height: height, source: source)
            let band = 256
            var cache: [UInt8] = [], cacheTop = -1
            try PNGFile.write(path: output, width: width, height: height, channels: 1) { y, row in
                if cacheTop < 0 || y >= cacheTop + band {
                    cacheTop = y
                    cache = mask.window(x: 0, y: y, width: width, height: min(band, height - y), value: 255)
                }
                for i in 0..<width { row[i] = cache[(y - cacheTop) * width + i] }
            }
        } catch { throw imagingFailure(error) }
    }

    private func rleText() throws(ImagingError) -> (String, String) {
        guard let csv, let id else {
            let data = FileHandle.standardInput.readDataToEndOfFile()
            return (String(decoding: data, as: UTF8.self), "stdin")
        }
        guard let data = FileManager.default.contents(atPath: csv) else { throw ImagingError(.io, "cannot read file", path: csv) }
        for (n, line) in String(decoding: data, as: UTF8.self).split(separator: "\n").enumerated() {
            let fields = line.split(separator: ",", maxSplits: 1, omittingEmptySubsequences: false)
            if fields.first.map(String.init) == id {
                return (fields.count > 1 ? String(fields[1]) : "", "\(csv):\(n + 1)")
            }
        }
        throw ImagingError(.invalidArgument, "no row with id '\(id)'", path: csv)
    }
}
