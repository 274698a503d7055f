import Foundation
import Imaging
import PipeCore

/// What a tile task reads: one TIFF of a Kaggle-layout directory (with its
/// mask source), or a whole external set of PNG or JPEG images with PNG masks.
enum TileSource: Sendable, Hashable {
    /// `image` and `polygons` relative to the input root.
    case image(input: String, id: String, image: String, polygons: String?)
    case external(input: String)

    /// The fan-out index: the image id, or the external set's name.
    var index: String {
        switch self {
        case .image(_, let id, _, _): return id
        case .external(let input): return input.hasPrefix("data.") ? String(input.dropFirst(5)) : input
        }
    }

    /// The tile manifest's `kind`: `image` (folds hold it out) or `external` (always trained on).
    var manifestKind: String {
        if case .external = self { return "external" }
        return "image"
    }

    var input: String {
        switch self {
        case .image(let input, _, _, _), .external(let input): return input
        }
    }

    /// Lists the sources of every input: TIFFs under `train/` (or the top
    /// level) of a Kaggle-layout directory, or one external set for a
    /// directory with `images/` and `masks/`.
    static func discover(_ inputs: [InputArtifact]) throws -> [TileSource] {
        var sources: [TileSource] = []
        for input in inputs {
            guard let manifest = input.manifest else {
                throw StageError("tile input '\(input.name)' is a file; give a Kaggle-layout directory or an external set")
            }
            let paths = Set(manifest.entries.map(\.path))
            if paths.contains(where: { $0.hasPrefix("images/") && ImageFile.extensions.contains(($0 as NSString).pathExtension.lowercased()) }) {
                sources.append(.external(input: input.name))
                continue
            }
            let tiffs = paths.filter { path in
                let parts = path.split(separator: "/")
                return (path.hasSuffix(".tiff") || path.hasSuffix(".tif"))
                    && (parts.count == 1 || (parts.count == 2 && parts[0] == "train"))
            }.sorted()
            guard !tiffs.isEmpty else {
                throw StageError("tile input '\(input.name)' has no train/*.tiff and no images/*.png or images/*.jpg; is it a HuBMAP directory?")
            }
            for tiff in tiffs {
                let id = String(tiff.split(separator: "/").last!.split(separator: ".").first!)
                let json = tiff.replacingOccurrences(of: ".tiff", with: ".json").replacingOccurrences(of: ".tif", with: ".json")
                sources.append(.image(input: input.name, id: id, image: tiff, polygons: paths.contains(json) ? json : nil))
            }
        }
        let duplicates = Dictionary(grouping: sources, by: \.index).filter { $0.value.count > 1 }.keys.sorted()
        if let duplicate = duplicates.first {
            throw StageError("image id '\(duplicate)' appears in more than one tile input; ids must be unique")
        }
        return sources
    }
}

/// `train.csv` (`id,encoding`): the Kaggle RLE of each training image.
struct TrainTable: Sendable {
    let rows: [String: String]

    /// Reads `train.csv` at the root of `directory`; an absent file is an empty table.
    /// Parsed from bytes: a real train.csv holds multi-megabyte RLE lines.
    init(directory: URL) throws {
        let url = directory.appendingPathComponent("train.csv")
        guard let data = try? Data(contentsOf: url, options: .alwaysMapped) else {
            rows = [:]
            return
        }
        var rows: [String: String] = [:]
        var bad: KeyedCSV.Row? = nil
        data.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) in
            KeyedCSV.forEachRow(in: bytes.bindMemory(to: UInt8.self)) { (row: KeyedCSV.Row) -> Bool in
                guard row.line > 1 else { return true }   // the header
                guard let value = row.value else { bad = row; return false }
                rows[row.id] = value
                return true
            }
        }
        if let bad {
            throw StageError("\(url.path):\(bad.line): expected 'id,encoding', got '\(bad.id.prefix(40))'")
        }
        self.rows = rows
    }

    /// The encoding of image `id` in `directory`'s train.csv, or nil when the file or the row is
    /// absent. Decodes only that row (a tile task needs one; `init` validated the file at planning).
    static func encoding(of id: String, directory: URL) -> String? {
        guard let data = try? Data(contentsOf: directory.appendingPathComponent("train.csv"), options: .alwaysMapped) else {
            return nil
        }
        return data.withUnsafeBytes { KeyedCSV.firstRow(id: id, in: $0.bindMemory(to: UInt8.self)) }?.value
    }
}
