import Foundation
import Imaging
import Testing
import TestSupport

@Suite struct SyntheticTests {
    static func digest(_ dir: URL) throws -> [String: Data] {
        var out: [String: Data] = [:]
        let files = FileManager.default.enumerator(at: dir, includingPropertiesForKeys: nil)!
        for case let url as URL in files where !url.hasDirectoryPath {
            out[String(url.path.dropFirst(dir.path.count))] = try Data(contentsOf: url)
        }
        return out
    }

    @Test func kaggleLayoutIsDeterministicAndConsistent() throws {
        let a = try TemporaryDirectory("synth-a"), b = try TemporaryDirectory("synth-b")
        defer { a.remove(); b.remove() }
        let options = SyntheticKidneyOptions(images: 2, side: 1024, seed: 5, testImages: 1, glomeruliPerMegapixel: 6,
                                             tiff: TiffWriteOptions(compression: .deflate, tileSize: 256))
        try SyntheticKidney.generate(options, into: a.url)
        try SyntheticKidney.generate(options, into: b.url, threads: 1)
        let files = try Self.digest(a.url)
        #expect(files == (try Self.digest(b.url)), "same options and seed must give identical bytes")
        let csv = String(decoding: try #require(files["/train.csv"]), as: UTF8.self).split(separator: "\n")
        #expect(csv.first == "id,encoding" && csv.count == 3)
        #expect(files["/sample_submission.csv"].map { String(decoding: $0, as: UTF8.self).hasPrefix("id,predicted\n") } == true)
        #expect(files["/HuBMAP-20-dataset_information.csv"] != nil)
        for row in csv.dropFirst() {
            let parts = row.split(separator: ",", maxSplits: 1)
            let id = String(parts[0])
            let reader = try TiffReader(path: a.file("train/\(id).tiff").path)
            #expect(reader.width == 1024 && reader.height == 1024 && reader.info.compression == .deflate)
            let rle = try RLEMask(rle: String(parts[1]), width: 1024, height: 1024)
            let polygons = try PolygonFile.read(path: a.file("train/\(id).json").path)
            #expect(!polygons.isEmpty)
            #expect(PolygonRaster.rle(polygons, width: 1024, height: 1024) == rle, "train.csv and the polygon JSON describe the same mask")
            // glomeruli look different from their surroundings: masked pixels are darker/more purple on average
            let img = try reader.readWindow(x: 0, y: 0, width: 1024, height: 1024)
            let mask = rle.window(x: 0, y: 0, width: 1024, height: 1024)
            var inside = 0.0, outside = 0.0, nIn = 0.0, nOut = 0.0
            for p in 0..<(1024 * 1024) where img[p * 3] < 235 {   // tissue only
                let v = Double(img[p * 3 + 1])
                if mask[p] != 0 { inside += v; nIn += 1 } else { outside += v; nOut += 1 }
            }
            #expect(nIn > 1000 && inside / nIn < outside / nOut - 10)
            // the anatomical-structure file outlines the tissue section
            let cortex = try PolygonFile.read(path: a.file("train/\(id)-anatomical-structure.json").path)
            let section = PolygonRaster.rle(cortex, width: 1024, height: 1024).window(x: 0, y: 0, width: 1024, height: 1024)
            var tissue = 0.0, tissueInside = 0.0
            for p in 0..<(1024 * 1024) {   // stained tissue: max - min channel over 40 (the background is near grey)
                let rgb = img[(p * 3)..<(p * 3 + 3)]
                guard Int(rgb.max()!) - Int(rgb.min()!) > 40 else { continue }
                tissue += 1
                if section[p] != 0 { tissueInside += 1 }
            }
            #expect(tissue > 10_000 && tissueInside / tissue > 0.98, "the outline holds the tissue")
        }
        // every file the dataset-information CSV names exists
        let info = String(decoding: try #require(files["/HuBMAP-20-dataset_information.csv"]), as: UTF8.self)
        for row in info.split(separator: "\n").dropFirst() {
            let fields = row.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            let id = String(fields[0].dropLast(".tiff".count))
            let folder = files["/train/\(fields[0])"] != nil ? "train" : "test"
            #expect(files["/\(folder)/\(fields[0])"] != nil)
            #expect(files["/\(folder)/\(fields[3])"] != nil, "\(fields[3])")
            #expect(fields[4].isEmpty || files["/\(folder)/\(fields[4])"] != nil, "\(fields[4])")
            #expect(fields[3] == "\(id)-anatomical-structure.json")
        }
    }

    @Test func variantsCoverEveryReaderPath() throws {
        let dir = try TemporaryDirectory("synth-variants")
        defer { dir.remove() }
        let variants = SyntheticKidneyOptions.everyReaderPath
        try SyntheticKidney.generate(SyntheticKidneyOptions(images: variants.count, side: 512, seed: 9, variants: variants), into: dir.url)
        let ids = String(decoding: try Data(contentsOf: dir.file("train.csv")), as: UTF8.self)
            .split(separator: "\n").dropFirst().map { String($0.split(separator: ",")[0]) }
        for (id, variant) in zip(ids, variants) {
            let reader = try TiffReader(path: dir.file("train/\(id).tiff").path)
            #expect(reader.info.layout == variant.layout && reader.info.tiled == variant.tiled)
            #expect(reader.info.compression == variant.compression && reader.info.levels.count == variant.pyramidLevels + 1)
            let window = try reader.readWindow(x: 128, y: 128, width: 256, height: 256, reduce: 2)
            #expect(Set(window).count > 20)
        }
    }

    @Test func externalPairsHaveGlomeruli() throws {
        let dir = try TemporaryDirectory("synth-ext")
        defer { dir.remove() }
        try SyntheticExternal.generate(SyntheticExternalOptions(tiles: 3, side: 256, seed: 3), into: dir.url)
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.file("images").path).sorted()
        #expect(names == (try FileManager.default.contentsOfDirectory(atPath: dir.file("masks").path).sorted()))
        #expect(names.count == 3)
        for name in names {
            let image = try PNGFile.read(path: dir.file("images/\(name)").path)
            let mask = try PNGFile.read(path: dir.file("masks/\(name)").path, channels: 1)
            #expect(image.width == 256 && mask.width == 256)
            #expect(Set(mask.pixels).isSubset(of: [0, 255]) && mask.pixels.contains(255))
        }
    }
}

@Suite struct SyntheticOptionsTests {
    @Test func specFragmentsDecodeWithDefaults() throws {
        let kidney = try JSONDecoder().decode(SyntheticKidneyOptions.self, from: Data(#"{"images": 2, "side": 4096, "seed": 2, "labels": false}"#.utf8))
        #expect(kidney == SyntheticKidneyOptions(images: 2, side: 4096, seed: 2, labels: false))
        let custom = try JSONDecoder().decode(SyntheticKidneyOptions.self, from: Data(#"{"tiff": {"compression": "lzw", "layout": "planar"}}"#.utf8))
        #expect(custom.tiff == TiffWriteOptions(compression: .lzw, layout: .planar) && custom.images == 6)
        let external = try JSONDecoder().decode(SyntheticExternalOptions.self, from: Data(#"{"tiles": 48, "seed": 3}"#.utf8))
        #expect(external == SyntheticExternalOptions(tiles: 48, side: 1024, seed: 3))
        let roundTrip = try JSONDecoder().decode(SyntheticKidneyOptions.self, from: JSONEncoder().encode(SyntheticKidneyOptions(variants: SyntheticKidneyOptions.everyReaderPath)))
        #expect(roundTrip.variants == SyntheticKidneyOptions.everyReaderPath)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(SyntheticKidneyOptions.self, from: Data(#"{"tiff": {"compression": "gzip"}}"#.utf8)) }
    }
}
