import Foundation
import Synchronization

extension SyntheticKidney {
    /// train.csv, sample_submission.csv and the dataset-information CSV.
    static func writeTables(_ items: [Item], encodings: [String: String], side: Int, into directory: URL) throws(ImagingError) {
        let train = items.filter { !$0.test }, test = items.filter(\.test)
        if !train.isEmpty {
            try write("id,encoding\n" + train.map { "\($0.id),\(encodings[$0.id] ?? "")\n" }.joined(), directory, "train.csv")
        }
        if !test.isEmpty {
            try write("id,predicted\n" + test.map { "\($0.id),\n" }.joined(), directory, "sample_submission.csv")
        }
        var info = "image_file,width_pixels,height_pixels,anatomical_structures_segmention_file,glomerulus_segmentation_file,"
            + "patient_number,race,ethnicity,sex,age,weight_kilograms,height_centimeters,bmi_kg/m^2,laterality,percent_cortex,percent_medulla\n"
        for (i, item) in items.enumerated() {
            var rng = SyntheticRandom(seed: item.seed ^ 0xD474)
            let weight = Int(rng.uniform(55, 110)), height = Int(rng.uniform(155, 195))
            let bmi = Double(weight) / pow(Double(height) / 100, 2)
            let cortex = Int(rng.uniform(60, 100))
            info += "\(item.id).tiff,\(side),\(side),\(item.id)-anatomical-structure.json,"
                + (item.test ? "," : "\(item.id).json,")
                + "\(67000 + i),\(["White", "Black or African American", "Asian"][Int(rng.next() % 3)]),Not Hispanic or Latino,"
                + "\(rng.next() % 2 == 0 ? "Male" : "Female"),\(Int(rng.uniform(30, 78))),\(weight),\(height),"
                + String(format: "%.1f", bmi) + ",\(rng.next() % 2 == 0 ? "Left" : "Right"),\(cortex),\(100 - cortex)\n"
        }
        try write(info, directory, "HuBMAP-20-dataset_information.csv")
    }

    private static func write(_ text: String, _ directory: URL, _ name: String) throws(ImagingError) {
        let url = directory.appendingPathComponent(name)
        do { try Data(text.utf8).write(to: url) } catch {
            throw ImagingError(.io, "cannot write (\(error.localizedDescription))", path: url.path)
        }
    }
}

/// The synthetic "external" set: `images/<name>.png` + `masks/<name>.png` (0 or 255) pairs of
/// `side` x `side` pixels, each with at least one glomerulus, deterministic for the seed.
public enum SyntheticExternal {
    public static func generate(_ options: SyntheticExternalOptions, into directory: URL,
                                progress: (@Sendable (SyntheticProgress) -> Void)? = nil) throws(ImagingError) {
        guard options.tiles >= 0, options.side >= 64, options.side <= 8192 else {
            throw ImagingError(.invalidArgument, "external tiles need 64 <= side <= 8192 (got \(options.side))")
        }
        let images = directory.appendingPathComponent("images"), masks = directory.appendingPathComponent("masks")
        do {
            try FileManager.default.createDirectory(at: images, withIntermediateDirectories: true)
            try FileManager.default.createDirectory(at: masks, withIntermediateDirectories: true)
        } catch { throw ImagingError(.io, "cannot create directory (\(error.localizedDescription))", path: directory.path) }
        let failure = Mutex<ImagingError?>(nil)
        let done = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: options.tiles) { i in
            guard failure.withLock({ $0 == nil }) else { return }
            do throws(ImagingError) {
                let name = try tile(i, options: options, images: images, masks: masks)
                progress?(SyntheticProgress(done: done.add(1, ordering: .relaxed).newValue, total: options.tiles, item: name))
            } catch {
                failure.withLock { if $0 == nil { $0 = error } }
            }
        }
        if let error = failure.withLock({ $0 }) { throw error }
    }

    /// Renders external pair `i`; returns its file name.
    private static func tile(_ i: Int, options: SyntheticExternalOptions, images: URL, masks: URL) throws(ImagingError) -> String {
        let seed = SyntheticNoise.hash(i, 7, options.seed &* 0x100_0000_01B3)
        let scene = SyntheticScene(width: options.side, height: options.side, seed: seed,
                                   glomeruliPerMegapixel: 1.2, forceGlomeruli: 1, fullTissue: true)
        let name = String(format: "ext_%04d.png", i)
        let rgb = SceneRenderer(scene: scene).band(y0: 0, rows: options.side)
        try PNGFile.write(PixelImage(width: options.side, height: options.side, channels: 3, pixels: rgb),
                          path: images.appendingPathComponent(name).path, compressionLevel: 3)
        let mask = PolygonRaster.window(scene.polygons, x: 0, y: 0, width: options.side, height: options.side, value: 255)
        try PNGFile.write(PixelImage(width: options.side, height: options.side, channels: 1, pixels: mask),
                          path: masks.appendingPathComponent(name).path)
        return name
    }
}
