import ArgumentParser
import Foundation
import Imaging

/// `pipe-bench image-read`: reads a large JPEG-compressed tiled RGB TIFF window by window at a reduce
/// (pipe's TiffReader, each run in a fresh process so peak RSS is its own) next to tifffile reading the
/// whole file and reducing with numpy. Also times the standard synthetic data set generation.
struct ImageReadBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "image-read", abstract: "Window-by-window TIFF reading vs tifffile+numpy; synthetic data speed.")

    @Option(help: "Side of the square test image (created once, reused).") var side = 30_000
    @Option(help: "Test image path.") var file = "/tmp/pipe-bench-30k-jpeg.tiff"
    @Option(help: "Window side, full-resolution pixels.") var window = 4096
    @Option(help: "Downscale factor.") var reduce = 4
    @Option(help: "Decode threads.") var threads = ProcessInfo.processInfo.activeProcessorCount
    @Option(help: "Runs of each reader (median reported).") var runs = 3
    @Flag(help: "Skip the tifffile baseline.") var skipPython = false
    @Flag(help: "Skip timing the synthetic data set (6 x 4096^2 train + 2 test).") var skipSynthetic = false
    @Option(help: .hidden) var phase: String?

    func run() throws {
        if phase == "read" { return try readPhase() }
        if !FileManager.default.fileExists(atPath: file) { try BenchImage.make(file: file, side: side, threads: threads) }
        let decoded = Double(side) * Double(side) * 3
        print("image: \(file), \(side) x \(side) RGB, \(Int(decoded / 1e6)) MB decoded; windows \(window) at reduce \(reduce), \(threads) threads")
        var pipe: [[String: Double]] = []
        for _ in 0..<runs { pipe.append(try child([CommandLine.arguments[0], "image-read", "--phase", "read", "--file", file,
                                                  "--window", "\(window)", "--reduce", "\(reduce)", "--threads", "\(threads)"])) }
        report("pipe TiffReader", pipe, decoded: decoded)
        if !skipPython {
            let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent("scripts/imaging/bench_tifffile.py").path
            var py: [[String: Double]] = []
            for _ in 0..<runs { py.append(try child(["/usr/bin/env", "python3", script, file, "\(reduce)"])) }
            report("tifffile + numpy", py, decoded: decoded)
            let ratio = median(py.map { $0["seconds"]! }) / median(pipe.map { $0["seconds"]! })
            print(String(format: "speed ratio (tifffile time / pipe time): %.2fx", ratio))
        }
        if !skipSynthetic { try timeSynthetic() }
    }

    private func report(_ name: String, _ results: [[String: Double]], decoded: Double) {
        let s = median(results.map { $0["seconds"]! }), rss = median(results.map { $0["peak_rss_bytes"]! })
        print(String(format: "%@: median %.2f s over %d runs, %.0f MB/s decoded, peak RSS %.0f MB (%.1f%% of the decoded image)",
                     name, s, results.count, decoded / s / 1e6, rss / 1e6, 100 * rss / decoded))
    }

    private func median(_ v: [Double]) -> Double { let s = v.sorted(); return s[s.count / 2] }

    private func child(_ argv: [String]) throws -> [String: Double] {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: argv[0] == CommandLine.arguments[0] ? "/proc/self/exe" : argv[0])
        p.arguments = Array(argv.dropFirst())
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0, let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw ValidationError("benchmark child '\(argv.joined(separator: " "))' failed")
        }
        return object.compactMapValues { ($0 as? NSNumber)?.doubleValue }
    }

    /// The measured phase, in its own process: windows over the whole image into one reused buffer.
    private func readPhase() throws {
        let reader = try TiffReader(path: file)
        let out = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: (window / reduce) * (window / reduce) * 3)
        defer { out.deallocate() }
        var checksum = 0
        let start = Date()
        for y in stride(from: 0, to: reader.height, by: window) {
            for x in stride(from: 0, to: reader.width, by: window) {
                try reader.readWindow(x: x, y: y, width: window, height: window, reduce: reduce, threads: threads, into: out)
                checksum &+= Int(out[out.count / 2])
            }
        }
        let seconds = Date().timeIntervalSince(start)
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        print("{\"seconds\": \(seconds), \"peak_rss_bytes\": \(usage.ru_maxrss * 1024), \"checksum\": \(checksum)}")
    }

    private func timeSynthetic() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pipe-bench-synth-\(getpid())")
        defer { try? FileManager.default.removeItem(at: dir) }
        let start = Date()
        try SyntheticKidney.generate(SyntheticKidneyOptions(images: 6, side: 4096, seed: 1, testImages: 2), into: dir)
        let kidney = Date().timeIntervalSince(start)
        let ext = Date()
        try SyntheticExternal.generate(SyntheticExternalOptions(tiles: 48, seed: 3), into: dir.appendingPathComponent("external"))
        print(String(format: "synthetic data: 6 train + 2 test images of 4096^2 in %.1f s; 48 external 1024^2 PNG pairs in %.1f s (%d threads)",
                     kidney, Date().timeIntervalSince(ext), ProcessInfo.processInfo.activeProcessorCount))
    }
}
