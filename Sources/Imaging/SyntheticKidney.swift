import Foundation
import Synchronization

/// Progress of a synthetic data run: `done` of `total` images finished.
public struct SyntheticProgress: Sendable {
    public var done: Int
    public var total: Int
    public var item: String
}

/// Generates a HuBMAP "Hacking the Kidney"-layout directory of synthetic PAS-like kidney sections,
/// deterministic for its options and seed: `train/<id>.tiff` + `train/<id>.json` (glomerulus
/// polygons) + `train/<id>-anatomical-structure.json` (the tissue outline as "Cortex"), `train.csv` (`id,encoding`, Kaggle RLE), `HuBMAP-20-dataset_information.csv`, and for
/// test images `test/<id>.tiff` + `sample_submission.csv` (`id,predicted`). TIFFs are streamed band
/// by band; images render in parallel.
public enum SyntheticKidney {
    /// One image to produce.
    struct Item: Sendable {
        var id: String
        var seed: UInt64
        var test: Bool
        var tiff: TiffWriteOptions
    }

    /// Writes the data set into `directory` (created if missing). Throws `ImagingError` on IO failure.
    public static func generate(_ options: SyntheticKidneyOptions, into directory: URL,
                                threads: Int = ProcessInfo.processInfo.activeProcessorCount,
                                progress: (@Sendable (SyntheticProgress) -> Void)? = nil) throws(ImagingError) {
        guard options.images >= 0, options.testImages >= 0, options.side >= 64, options.side <= 200_000 else {
            throw ImagingError(.invalidArgument, "synthetic data needs images >= 0 and 64 <= side <= 200000 (got \(options.images), \(options.side))")
        }
        let items = plan(options)
        let fm = FileManager.default
        for sub in ["train", "test"] where items.contains(where: { $0.test == (sub == "test") }) {
            do { try fm.createDirectory(at: directory.appendingPathComponent(sub), withIntermediateDirectories: true) } catch {
                throw ImagingError(.io, "cannot create directory (\(error.localizedDescription))", path: directory.appendingPathComponent(sub).path)
            }
        }
        let encodings = Mutex([String: String]())
        let failure = Mutex<ImagingError?>(nil)
        let done = Atomic<Int>(0)
        let next = Atomic<Int>(0)
        let work: @Sendable (Int) -> Void = { _ in
            while failure.withLock({ $0 == nil }) {
                let i = next.add(1, ordering: .relaxed).oldValue
                guard i < items.count else { return }
                do throws(ImagingError) {
                    let rle = try render(items[i], side: options.side, density: options.glomeruliPerMegapixel, into: directory)
                    if let rle { encodings.withLock { $0[items[i].id] = rle } }
                    let n = done.add(1, ordering: .relaxed).newValue
                    progress?(SyntheticProgress(done: n, total: items.count, item: items[i].id))
                } catch {
                    failure.withLock { if $0 == nil { $0 = error } }
                }
            }
        }
        DispatchQueue.concurrentPerform(iterations: max(1, min(threads, items.count)), execute: work)
        if let error = failure.withLock({ $0 }) { throw error }
        try writeTables(items, encodings: encodings.withLock { $0 }, side: options.side, into: directory)
    }

    /// Image ids and seeds, in order: labelled images first, then test images.
    static func plan(_ options: SyntheticKidneyOptions) -> [Item] {
        let trainCount = options.labels ? options.images : 0
        let testCount = (options.labels ? 0 : options.images) + options.testImages
        return (0..<(trainCount + testCount)).map { i in
            let test = i >= trainCount
            let seed = SyntheticNoise.hash(i, test ? 1 : 0, options.seed &* 0x100_0000_01B3)
            let id = String(String(seed, radix: 16).suffix(9)).padding(toLength: 9, withPad: "0", startingAt: 0)
            let tiff = options.variants.isEmpty ? options.tiff : options.variants[i % options.variants.count]
            return Item(id: id, seed: seed, test: test, tiff: tiff)
        }
    }

    /// Renders one image to its TIFF (and polygon JSON); returns the RLE for labelled images.
    static func render(_ item: Item, side: Int, density: Double, into directory: URL) throws(ImagingError) -> String? {
        let scene = SyntheticScene(width: side, height: side, seed: item.seed, glomeruliPerMegapixel: density)
        let renderer = SceneRenderer(scene: scene)
        let folder = directory.appendingPathComponent(item.test ? "test" : "train")
        let writer = try TiffWriter(path: folder.appendingPathComponent(item.id + ".tiff").path,
                                    width: side, height: side, channels: 3, options: item.tiff)
        var y = 0
        while y < side {
            let rows = min(item.tiff.bandRows, side - y)
            let band = renderer.band(y0: y, rows: rows)
            try band.withUnsafeBufferPointer { (b) throws(ImagingError) in try writer.write(band: b, rows: rows) }
            y += rows
        }
        try writer.finish()
        let anatomy = folder.appendingPathComponent(item.id + "-anatomical-structure.json")
        do { try PolygonFile.encode([scene.tissueOutline], classification: .cortex).write(to: anatomy) } catch {
            throw ImagingError(.io, "cannot write the anatomical structure (\(error.localizedDescription))", path: anatomy.path)
        }
        guard !item.test else { return nil }
        let polygons = scene.polygons
        let json = folder.appendingPathComponent(item.id + ".json")
        do { try PolygonFile.encode(polygons).write(to: json) } catch {
            throw ImagingError(.io, "cannot write polygons (\(error.localizedDescription))", path: json.path)
        }
        return PolygonRaster.rle(polygons, width: side, height: side).encoded
    }
}

extension SceneRenderer {
    /// A renderer for one synthetic section of `side` x `side` (benchmarks and tools).
    public static func synthetic(side: Int, seed: UInt64, glomeruliPerMegapixel: Double = 1.5) -> SceneRenderer {
        SceneRenderer(scene: SyntheticScene(width: side, height: side, seed: seed, glomeruliPerMegapixel: glomeruliPerMegapixel))
    }

    /// Renders bands starting at `tops` in parallel (each `rows` rows, clipped to `height`).
    public static func bands(_ renderer: SceneRenderer, tops: [Int], rows: Int, height: Int) -> [[UInt8]] {
        let results = Mutex([Int: [UInt8]]())
        DispatchQueue.concurrentPerform(iterations: tops.count) { i in
            let band = renderer.band(y0: tops[i], rows: min(rows, height - tops[i]))
            results.withLock { $0[i] = band }
        }
        return (0..<tops.count).map { i in results.withLock { $0[i]! } }
    }
}
