import Foundation
import Imaging
import PipeCore

/// The tile stage's resolved config.
struct TileSettings: Sendable {
    var size: Int
    var reduce: Int
    var overlap: Int
    var shift: Bool
    var filter: TileFilter
    var keepMasked: Bool
    var polygons: Bool
    var preview: Int

    init(_ config: JSONValue) {
        size = config["size"]?.intValue ?? 256
        reduce = config["reduce"]?.intValue ?? 4
        overlap = min(config["overlap"]?.intValue ?? 0, size - 1)
        shift = config["shift"]?.boolValue ?? false
        filter = TileFilter(saturation: config["saturation"]?.intValue ?? 40,
                            minPixels: config["min_pixels"]?.intValue ?? TileFilter.defaultMinPixels(size: size))
        keepMasked = config["keep_masked"]?.boolValue ?? false
        polygons = config["mask"]?.stringValue == "polygons"
        preview = config["preview"]?.intValue ?? 16
    }

    func grid(width: Int, height: Int) -> TileGrid {
        TileGrid(imageWidth: width, imageHeight: height, size: size, reduce: reduce, overlap: overlap, shifted: shift)
    }
}

/// The mask of one image, from train.csv RLE or its polygon JSON.
enum TileMaskSource: Sendable {
    case rle(String)
    case polygons([Imaging.Polygon])
    case empty

    init(settings: TileSettings, input: InputArtifact, id: String, polygons: String?, warnings: inout [String]) throws {
        if settings.polygons {
            guard let polygons else {
                throw StageError("image '\(id)' of \(input.name) has no polygon file \(id).json; use mask: rle or add it")
            }
            do { self = .polygons(try PolygonFile.read(path: input.path.appendingPathComponent(polygons).path)) } catch {
                throw StageError("\(error)")
            }
            return
        }
        if let row = TrainTable.encoding(of: id, directory: input.path) {
            self = .rle(row)
        } else {
            warnings.append("warning: image '\(id)' has no row in \(input.name)/train.csv; its mask is empty")
            self = .empty
        }
    }

    /// The mask as runs, checked against the image size.
    func mask(width: Int, height: Int, image: String) throws -> RLEMask {
        switch self {
        case .empty: return RLEMask(width: width, height: height)
        case .polygons(let polygons): return PolygonRaster.rle(polygons, width: width, height: height)
        case .rle(let text):
            do { return try RLEMask(rle: text, width: width, height: height, source: "train.csv row of '\(image)'") } catch {
                throw StageError("\(error) (the image is \(width) x \(height))")
            }
        }
    }
}

extension TileStage {
    /// Tiles one TIFF, band by band, in parallel within the image.
    func tileImage(_ path: String, mask source: TileMaskSource, settings: TileSettings, output: TileOutput,
                   context: TaskContext) throws {
        let reader: TiffReader
        do { reader = try TiffReader(path: path) } catch { throw StageError("\(error)") }
        let width = reader.info.width, height = reader.info.height
        let mask = try source.mask(width: width, height: height, image: (path as NSString).lastPathComponent)
        output.imageSize = (width, height)
        let tiler = ImageTiler(grid: settings.grid(width: width, height: height), filter: settings.filter,
                               keepMasked: settings.keepMasked)
        output.sampleEvery = max(1, tiler.grid.windowCount / max(1, settings.preview * 3))
        let counts = try tiler.run(reader: reader, mask: mask, threads: context.threads,
                                   progress: { context.progress($0, "tiling \((path as NSString).lastPathComponent)") },
                                   emit: output.add)
        output.counts = counts
    }

    /// Tiles an external set: every `images/X.png` (or `X.jpg`, `X.jpeg`) with its mask `masks/X.png`,
    /// by the same recipe. Masks must be PNG: JPEG's losses would turn into mask pixels.
    func tileExternal(_ root: URL, settings: TileSettings, output: TileOutput, context: TaskContext) throws {
        let images = root.appendingPathComponent("images"), masks = root.appendingPathComponent("masks")
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: images.path)) ?? [])
            .filter { ImageFile.extensions.contains(($0 as NSString).pathExtension.lowercased()) }.sorted()
        var total = ImageTiler.Counts()
        for (number, name) in names.enumerated() {
            let png = ((name as NSString).deletingPathExtension as NSString).appendingPathExtension("png")!
            let maskName = png, maskPath = masks.appendingPathComponent(png).path
            guard FileManager.default.fileExists(atPath: maskPath) else {
                let lossy = name != png && FileManager.default.fileExists(atPath: masks.appendingPathComponent(name).path)
                throw StageError("external image '\(name)' has no mask masks/\(png)" + (lossy ? " (masks/\(name) is not used: masks must be lossless PNG)" : ""))
            }
            let image: PixelImage, mask: PixelImage
            do {
                image = try ImageFile.read(path: images.appendingPathComponent(name).path, channels: 3)
                mask = try PNGFile.read(path: maskPath, channels: 1)
            } catch { throw StageError("\(error)") }
            guard image.width == mask.width, image.height == mask.height else {
                throw StageError("mask masks/\(maskName) is \(mask.width) x \(mask.height) but its image is \(image.width) x \(image.height)")
            }
            let tiler = ImageTiler(grid: settings.grid(width: image.width, height: image.height), filter: settings.filter,
                                   keepMasked: settings.keepMasked)
            let crop = PixelCrop(image: image, mask: mask, reduce: settings.reduce)
            let counts = try tiler.run(threads: 1, read: crop.read, emit: output.add)
            total.add(counts)
            context.progress(Double(number + 1) / Double(names.count), name)
        }
        output.counts = total
        output.imageSize = (0, 0)
    }
}

/// Windows of an in-memory image and mask, zero outside, reduced like a TIFF window.
struct PixelCrop: Sendable {
    let image: PixelImage
    let mask: PixelImage
    let reduce: Int

    func read(x: Int, y: Int, width: Int, height: Int) -> (rgb: [UInt8], mask: [UInt8]) {
        var rgb = [UInt8](repeating: 0, count: width * height * 3), bits = [UInt8](repeating: 0, count: width * height)
        for row in 0..<height where (0..<image.height).contains(y + row) {
            for column in 0..<width where (0..<image.width).contains(x + column) {
                let source = (y + row) * image.width + x + column, target = row * width + column
                for c in 0..<3 { rgb[target * 3 + c] = image.pixels[source * 3 + c] }
                bits[target] = mask.pixels[source] != 0 ? 1 : 0
            }
        }
        var reduced = [UInt8](repeating: 0, count: (width / reduce) * (height / reduce) * 3)
        rgb.withUnsafeBufferPointer { source in
            reduced.withUnsafeMutableBufferPointer { AreaReduce.rgb(source.baseAddress!, width: width, rows: height, reduce: reduce, into: $0.baseAddress!) }
        }
        return (reduced, MaskDownscale.apply(bits, width: width, height: height, reduce: reduce, mode: .nearest))
    }
}
