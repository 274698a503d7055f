import ArgumentParser
import Foundation
import NeuralNet

/// `pipe-bench model`: training steps/s and inference images/s of smp models
/// in pipe and in PyTorch CPU, side by side in one run. Every (implementation,
/// model, mode) runs in its own process so each peak RSS is its own. With
/// `--rounds`, each case alternates PyTorch and pipe processes, so load that
/// comes and goes on a shared machine hits both sides alike; the table gives
/// medians over rounds and the median and range of the per-round ratios.
struct ModelBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "model",
        abstract: "Training and inference throughput of Unet models, pipe vs PyTorch CPU.")

    @Option(help: "Architecture: unet or linknet.") var arch = "unet"
    @Option(help: "Comma-separated encoders.") var encoders = "resnet18,efficientnet-b0"
    @Option(help: "Comma-separated modes: train, infer.") var modes = "train,infer"
    @Option(help: "Images per batch.") var batch = 8
    @Option(help: "Image side.") var size = 256
    @Option(help: "Threads for both implementations.") var threads = 2
    @Option(help: "Timed steps per case (median reported).") var steps = 5
    @Option(help: "Untimed warm-up steps per case.") var warmup = 1
    @Option(help: "Rounds per case, PyTorch and pipe alternating (medians over rounds).") var rounds = 1
    @Flag(help: "Skip the PyTorch side.") var noTorch = false
    @Option(help: "Internal: run one pipe case in this process and print its JSON.") var worker: String?

    func run() throws {
        if let worker {
            // The process that runs pipe's models first gets the kernels `pipe` gives users
            // (DESIGN §7; it may re-exec once), as GemmBench does. The parent does not: its
            // environment would reach the PyTorch processes too.
            OpenBLAS.ensureProperKernels()
            HeapTuning.keepFreedBuffersForReuse()
            let encoder = encoders.split(separator: ",").first.map(String.init) ?? "resnet18"
            let result = try ModelBenchCase(arch: arch, encoder: encoder, mode: worker, batch: batch, size: size,
                                            threads: threads, steps: steps, warmup: warmup).run()
            print(String(decoding: try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys]), as: UTF8.self))
            return
        }
        var rows: [[String]] = []
        var cores = Set<String>()
        for encoder in encoders.split(separator: ",").map(String.init) {
            for mode in modes.split(separator: ",").map(String.init) {
                var pipeRuns: [[String: Any]] = [], torchRuns: [[String: Any]] = []
                for _ in 0..<max(1, rounds) {
                    if !noTorch, let torch = try runTorch(encoder: encoder, mode: mode) { torchRuns.append(torch) }
                    pipeRuns.append(try runSelf(encoder: encoder, mode: mode))
                }
                for run in pipeRuns { if let core = run["openblas_core"] as? String { cores.insert(core) } }
                rows.append(row(encoder: encoder, mode: mode, pipe: pipeRuns, torch: torchRuns))
            }
        }
        print("\(arch), batch \(batch), \(size)x\(size), \(threads) threads, median of \(steps) steps after \(warmup) warm-up"
              + (rounds > 1 ? ", \(rounds) alternating rounds" : ""))
        print("pipe's OpenBLAS core: \(cores.sorted().joined(separator: ", "))")
        printTable([["model", "mode", "unit", "pipe", "pytorch", "pipe/pytorch", "ratio range", "pipe peak RSS", "pytorch peak RSS"]] + rows)
    }

    private var commonArgs: [String] {
        ["--arch", arch, "--batch", String(batch), "--size", String(size), "--threads", String(threads),
         "--steps", String(steps), "--warmup", String(warmup)]
    }

    private func runSelf(encoder: String, mode: String) throws -> [String: Any] {
        let exe = URL(fileURLWithPath: CommandLine.arguments[0]).path
        return try runJSON(exe, ["model", "--encoders", encoder, "--worker", mode] + commonArgs)
    }

    private func runTorch(encoder: String, mode: String) throws -> [String: Any]? {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("scripts/nn/smp/bench_torch.py").path
        guard FileManager.default.fileExists(atPath: script) else { return nil }
        return try? runJSON("/usr/bin/env", ["python3", script, "--encoder", encoder, "--mode", mode] + commonArgs)
    }

    private func runJSON(_ exe: String, _ args: [String]) throws -> [String: Any] {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: exe)
        p.arguments = args
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0, let line = String(decoding: data, as: UTF8.self).split(separator: "\n").last,
              let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
            throw ValidationError("benchmark case '\(([exe] + args).joined(separator: " "))' failed (exit \(p.terminationStatus))")
        }
        return object
    }

    /// One table row from every round's result (rates: medians over rounds;
    /// ratio: the median and range of the per-round pipe/PyTorch ratios; RSS: the largest).
    private func row(encoder: String, mode: String, pipe: [[String: Any]], torch: [[String: Any]]) -> [String] {
        func rates(_ runs: [[String: Any]]) -> [Double] { runs.compactMap { $0["rate"] as? Double } }
        func median(_ xs: [Double]) -> Double? { xs.isEmpty ? nil : xs.sorted()[xs.count / 2] }
        func rss(_ runs: [[String: Any]]) -> String {
            guard let b = runs.compactMap({ ($0["peak_rss_bytes"] as? NSNumber)?.doubleValue }).max() else { return "-" }
            return String(format: "%.0f MiB", b / 1_048_576)
        }
        let ratios = zip(rates(pipe), rates(torch)).map { $0 / $1 }
        let range = ratios.count > 1 ? String(format: "%.2f-%.2fx", ratios.min()!, ratios.max()!) : "-"
        return ["\(arch)-\(encoder)", mode, mode == "train" ? "steps/s" : "images/s",
                median(rates(pipe)).map { String(format: "%.3f", $0) } ?? "-", median(rates(torch)).map { String(format: "%.3f", $0) } ?? "-",
                median(ratios).map { String(format: "%.2fx", $0) } ?? "-", range, rss(pipe), rss(torch)]
    }

    private func printTable(_ rows: [[String]]) {
        let widths = rows[0].indices.map { c in rows.map { $0[c].count }.max()! }
        for r in rows { print(r.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(separator: "  ")) }
    }
}

/// One measured case in this process: a pipe model, train steps or inference batches.
struct ModelBenchCase {
    var arch, encoder, mode: String
    var batch, size, threads, steps, warmup: Int

    func run() throws -> [String: Any] {
        guard let a = SegmentationArch(rawValue: arch), let e = EncoderName(encoder), mode == "train" || mode == "infer" else {
            throw ValidationError("unknown case '\(arch)' '\(encoder)' '\(mode)'")
        }
        let model = try SegmentationModel(SegmentationModelConfig(arch: a, encoder: e), seed: 0)
        var rng = SplitMix64(seed: 1)
        let x = Tensor(shape: [batch, 3, size, size], storage: (0..<(batch * 3 * size * size)).map { _ in rng.normal() })
        let target = Tensor(shape: [batch, 1, size, size], storage: (0..<(batch * size * size)).map { _ in rng.nextUniform() < 0.3 ? 1 : 0 })
        let optimizer = Adam(parameters: model.parameters, learningRate: 1e-3)
        model.training = mode == "train"
        var times: [Double] = []
        try Compute.$current.withValue(Compute(threads: threads)) {
            for i in 0..<(warmup + steps) {
                let start = DispatchTime.now().uptimeNanoseconds
                if mode == "train" {
                    model.store.zeroGrad()
                    bceWithLogits(try model.forward(x), target).backward()
                    optimizer.step()
                } else {
                    _ = try model.forward(x)
                }
                if i >= warmup { times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9) }
            }
        }
        let median = times.sorted()[times.count / 2]
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return ["implementation": "pipe", "arch": arch, "encoder": encoder, "mode": mode, "batch": batch, "size": size,
                "threads": threads, "seconds": times, "median_seconds": median,
                "rate": mode == "train" ? 1 / median : Double(batch) / median,
                "unit": mode == "train" ? "steps/s" : "images/s", "peak_rss_bytes": Int(usage.ru_maxrss) * 1024,
                "openblas_core": OpenBLAS.coreName + (ProcessInfo.processInfo.environment[OpenBLAS.reexecMarker].map { " (re-executed: \($0))" } ?? "")]
    }
}
