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
        } catch { throw Failure.usage("\(error)") }
    }
}

struct RLEDecodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decode", abstract: "Write the mask PNG (0/255) of an RLE read from stdin (bare, or an id,rle CSV row) or from a --csv row.")

    @Option(help: "Mask width.") var width: Int
    @Option(help: "Mask height.") var height: Int
    @Option(help: "Read the RLE from this CSV (id,encoding or id,predicted) instead of stdin.") var csv: String?
    @Option(help: "The row id to take from --csv, or from CSV rows on stdin.") var id: String?
    @Option(name: .shortAndLong, help: "Output PNG.") var output: String

    /// Mask rows rasterised at once while writing the PNG.
    static let bandRows = 256

    /// Argument problems, thrown from `run` so they exit 2 through the one error renderer.

    func checkArguments() throws {
        guard width > 0, height > 0 else { throw Failure.usage("mask size '\(width)x\(height)' must be positive") }
        do {
            _ = try ImageLimits.pixels(width, height, field: "mask size (--width x --height)", path: nil)
            _ = try ImageLimits.bytes(width, Self.bandRows, field: "a band of \(Self.bandRows) mask rows \(width) wide", path: nil)
        } catch { throw Failure.usage("\(error)") }
        guard csv == nil || id != nil else { throw Failure.usage("--csv needs --id to pick a row") }
    }

    func run() throws {
        try checkArguments()
        do {
            let (text, source) = try rleText()
            try RLEMask(rle: text, width: width, height: height, source: source).writePNG(path: output, bandRows: Self.bandRows)
        } catch { throw Failure.usage("\(error)") }
    }

    /// The RLE and where it came from: a `--csv` row, or stdin holding either bare RLE or CSV rows
    /// (`id,rle`, a header allowed; `--id` picks one when there are several).
    private func rleText() throws(ImagingError) -> (String, String) {
        if let csv, let id {
            let row = try KeyedCSV.row(id: id, path: csv)
            return (row.value ?? "", "\(csv):\(row.line)")
        }
        let text = String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
        guard text.contains(",") else {
            if let id { throw ImagingError(.invalidArgument, "--id '\(id)' given but stdin holds bare RLE, not 'id,rle' rows", path: "stdin") }
            return (text, "stdin")
        }
        let rows = KeyedCSV.rows(in: text).filter { $0.line > 1 || !["encoding", "predicted", "rle"].contains($0.value ?? "") }
        let picked = id.map { id in rows.filter { $0.id == id } } ?? rows
        guard picked.count == 1, let row = picked.first else {
            let what = id.map { "\(picked.count) rows with id '\($0)'" } ?? "\(rows.count) CSV rows"
            throw ImagingError(.invalidArgument, "stdin holds \(what); give exactly one 'id,rle' row or pick one with --id", path: "stdin")
        }
        return (row.value ?? "", "stdin:\(row.line)")
    }
}
