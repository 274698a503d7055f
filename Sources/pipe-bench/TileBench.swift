import ArgumentParser
import Foundation

/// `pipe-bench tile`: tiles a 30,000 x 30,000 JPEG-compressed tiled TIFF with
/// a matching RLE at size 256 / reduce 4 with `pipe run` (a tile stage), next
/// to the Python recipe (tifffile reading the whole image, cv2 INTER_AREA,
/// HSV filter) on the same file in the same run: wall time and peak RSS.
/// pipe runs with `--jobs N`; Python as the notebooks ran it, with tifffile's
/// default decode threads (half the cores: 1 on a 2-core machine, where
/// `TIFFFILE_NUM_THREADS=2` measured slower, not faster), unless
/// `--python-threads` sets them. Runs alternate pipe, Python, pipe, ... so load
/// drifts hit both.
struct TileBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tile", abstract: "Tile stage vs the tifffile + cv2 recipe: wall time and peak RSS.")

    @Option(help: "Side of the square test image (created once, reused).") var side = 30_000
    @Option(help: "Test image path.") var file = "/tmp/pipe-bench-30k-jpeg.tiff"
    @Option(help: "Tile size.") var size = 256
    @Option(help: "Downscale factor.") var reduce = 4
    @Option(help: "Runs of each (median reported).") var runs = 3
    @Option(help: "pipe --jobs.") var threads = 2
    @Option(help: "TIFFFILE_NUM_THREADS for the Python recipe (0: tifffile's default).") var pythonThreads = 0
    @Flag(help: "Skip the Python recipe.") var skipPython = false

    func run() throws {
        if !FileManager.default.fileExists(atPath: file) {
            try BenchImage.make(file: file, side: side, threads: ProcessInfo.processInfo.activeProcessorCount)
        }
        let workspace = try prepareWorkspace()
        let pipe = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
            .appendingPathComponent("pipe").path
        try shell("\(pipe) plan tile.yaml > /dev/null", in: workspace)  // hash the input once, as a warm cache would
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("scripts/tiling/bench_python_recipe.py").path
        print("load average before: \(try loadAverage())")
        var ours: [Measurement] = [], theirs: [Measurement] = []
        for _ in 0..<runs {
            ours.append(try measure("\(pipe) run tile.yaml --force tile --jobs \(threads) --json > run.json", in: workspace))
            guard !skipPython else { continue }
            let environment = pythonThreads > 0 ? "TIFFFILE_NUM_THREADS=\(pythonThreads) " : ""
            theirs.append(try measure("\(environment)python3 \(script) \(file) mask.rle \(size) \(reduce) > python.json",
                                      in: workspace))
            print(String(format: "  pipe %.1f s, Python %.1f s", ours.last!.seconds, theirs.last!.seconds))
        }
        print("load average after: \(try loadAverage())")
        let decoded = Double(side) * Double(side) * 3
        report("pipe (tile stage, --jobs \(threads))", ours, decoded: decoded)
        guard !skipPython else { return }
        report("tifffile + cv2 recipe (\(pythonThreads > 0 ? "\(pythonThreads)" : "default") decode threads)", theirs, decoded: decoded)
        print(String(format: "pipe is %.1fx faster; peak RSS %.1f%% of Python's",
                     median(theirs.map(\.seconds)) / median(ours.map(\.seconds)),
                     100 * median(ours.map(\.peakRSS)) / median(theirs.map(\.peakRSS))))
    }

    typealias Measurement = ChildMeasurement

    func loadAverage() throws -> String {
        try String(contentsOfFile: "/proc/loadavg", encoding: .utf8).split(separator: " ").prefix(3).joined(separator: " ")
    }

    func measure(_ command: String, in directory: String) throws -> Measurement { try ChildMeasurement.of(command, in: directory, keepingOutput: true) }

    func report(_ name: String, _ results: [Measurement], decoded: Double) {
        let rss = median(results.map(\.peakRSS))
        print(String(format: "%@: median %.1f s over %d runs, peak RSS %.0f MB (%.1f%% of the decoded image)",
                     name, median(results.map(\.seconds)), results.count, rss / 1e6, 100 * rss / decoded))
    }

    /// A Kaggle-layout directory holding the image (linked) and its train.csv, and a one-stage spec.
    func prepareWorkspace() throws -> String {
        let root = file + ".bench"
        let train = "\(root)/kaggle/train"
        try FileManager.default.createDirectory(atPath: train, withIntermediateDirectories: true)
        if !FileManager.default.fileExists(atPath: "\(root)/mask.rle") {
            try BenchImage.maskRLE(side: side).write(toFile: "\(root)/mask.rle", atomically: true, encoding: .utf8)
        }
        let rle = try String(contentsOfFile: "\(root)/mask.rle", encoding: .utf8)
        try "id,encoding\nbench,\(rle)\n".write(toFile: "\(root)/kaggle/train.csv", atomically: true, encoding: .utf8)
        try? FileManager.default.removeItem(atPath: "\(train)/bench.tiff")
        try FileManager.default.createSymbolicLink(atPath: "\(train)/bench.tiff", withDestinationPath: file)
        try """
            pipeline: tile-bench
            data: {train: kaggle}
            stages:
              tile: {kind: tile, from: [data.train], size: \(size), reduce: \(reduce), preview: 16}
            """.write(toFile: "\(root)/tile.yaml", atomically: true, encoding: .utf8)
        return root
    }
}
