import ArgumentParser
import Foundation
import NeuralNet

/// `pipe-bench gemm`: single-precision GEMM throughput of the OpenBLAS that
/// pipe links (after `OpenBLAS.ensureProperKernels()`) next to numpy's, at 1
/// and 2 threads, plus a conv2d forward+backward next to PyTorch's when
/// torch is installed. Medians of `--repeats` runs, measured in one run.
struct GemmBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gemm", abstract: "sgemm GFLOP/s of pipe's OpenBLAS vs numpy, 1 and 2 threads; conv2d vs torch.")

    @Option(help: "Square matrix sizes, comma-separated.")
    var sizes: String = "256,512,1024,2048"

    @Option(help: "Timed runs per measurement (the median is reported).")
    var repeats: Int = 7

    @Option(help: "Thread counts, comma-separated.")
    var threads: String = "1,2"

    @Flag(help: "Skip the numpy and torch comparisons.")
    var noPython = false

    func run() throws {
        OpenBLAS.ensureProperKernels()
        let marker = ProcessInfo.processInfo.environment[OpenBLAS.reexecMarker]
        print("OpenBLAS core: \(OpenBLAS.coreName)" + (marker.map { " (re-executed: \($0))" } ?? " (detected at load, no re-exec needed)"))
        print("OpenBLAS config: \(OpenBLAS.configuration)")
        let ns = sizes.split(separator: ",").compactMap { Int($0) }
        let ts = threads.split(separator: ",").compactMap { Int($0) }
        print("\nsgemm (float32, row-major, C = A*B), median GFLOP/s of \(repeats) runs")
        print("size  threads  pipe     numpy    pipe/numpy")
        for t in ts {
            let numpy = noPython ? [:] : numpyGflops(sizes: ns, threads: t)
            for n in ns {
                let ours = sgemmGflops(n: n, threads: t)
                let theirs = numpy[n]
                print(pad(n, 6) + pad(t, 9) + pad(String(format: "%.1f", ours), 9)
                      + pad(theirs.map { String(format: "%.1f", $0) } ?? "-", 9)
                      + (theirs.map { String(format: "%.2fx", ours / $0) } ?? "-"))
            }
        }
        try ConvBench(repeats: repeats, threads: ts, compareTorch: !noPython).run()
        UNetStepBench(repeats: repeats, threads: ts, compareTorch: !noPython).run()
    }

    private func sgemmGflops(n: Int, threads: Int) -> Double {
        OpenBLAS.threads = threads
        let a = [Float](repeating: 0.5, count: n * n), b = [Float](repeating: 0.25, count: n * n)
        var c = [Float](repeating: 0, count: n * n)
        let seconds = a.withUnsafeBufferPointer { ap in b.withUnsafeBufferPointer { bp in c.withUnsafeMutableBufferPointer { cp in
            medianSeconds(repeats) {
                OpenBLAS.sgemm(m: n, n: n, k: n, a: ap.baseAddress!, b: bp.baseAddress!, c: cp.baseAddress!)
            }
        }}}
        return 2 * pow(Double(n), 3) / seconds / 1e9
    }

    private func numpyGflops(sizes: [Int], threads: Int) -> [Int: Double] {
        let script = """
        import json, sys, time, numpy as np
        out = {}
        for n in \(sizes):
            a = np.full((n, n), 0.5, np.float32); b = np.full((n, n), 0.25, np.float32)
            np.dot(a, b)
            ts = []
            for _ in range(\(repeats)):
                t0 = time.perf_counter(); np.dot(a, b); ts.append(time.perf_counter() - t0)
            out[n] = 2 * n ** 3 / sorted(ts)[len(ts) // 2] / 1e9
        print(json.dumps(out))
        """
        var env = ProcessInfo.processInfo.environment
        env["OPENBLAS_NUM_THREADS"] = String(threads)
        env["OMP_NUM_THREADS"] = String(threads)
        env.removeValue(forKey: "OPENBLAS_CORETYPE")  // numpy's own OpenBLAS detects for itself
        guard let text = try? runPython(script, environment: env),
              let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Double] else {
            print("(numpy not available: skipping its column)")
            return [:]
        }
        return Dictionary(uniqueKeysWithValues: object.compactMap { k, v in Int(k).map { ($0, v) } })
    }
}

/// `value` as text, left-aligned in `width` columns.
func pad(_ value: Any, _ width: Int) -> String {
    let text = "\(value)"
    return text + String(repeating: " ", count: max(1, width - text.count))
}

/// The median wall time of `repeats` runs of `body`, after one warm-up run.
func medianSeconds(_ repeats: Int, _ body: () -> Void) -> Double {
    body()
    var times: [Double] = []
    for _ in 0..<max(1, repeats) {
        let start = DispatchTime.now().uptimeNanoseconds
        body()
        times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }
    return times.sorted()[times.count / 2]
}

/// Runs `python3 -c script` and returns its stdout; throws when it fails.
func runPython(_ script: String, environment: [String: String]) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "-c", script]
    process.environment = environment
    let out = Pipe()
    process.standardOutput = out
    process.standardError = FileHandle.nullDevice
    try process.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else { throw CocoaError(.fileReadUnknown) }
    return String(decoding: data, as: UTF8.self)
}


/// A 3x3 conv + batch norm + relu forward and backward on a U-Net-like
/// activation (16 x 64 x 64 x 64), pipe vs PyTorch at the same thread counts.
struct ConvBench {
    let repeats: Int
    let threads: [Int]
    let compareTorch: Bool
    let shape = [16, 64, 64, 64]

    func run() throws {
        print("\nconv3x3 64->64 + batchnorm + relu, forward+backward on \(shape), median ms of \(repeats) runs")
        print("threads  pipe      torch     torch/pipe")
        for t in threads {
            let ours = pipeMilliseconds(threads: t)
            let theirs = compareTorch ? torchMilliseconds(threads: t) : nil
            print(pad(t, 9) + pad(String(format: "%.1f", ours), 10)
                  + pad(theirs.map { String(format: "%.1f", $0) } ?? "-", 10)
                  + (theirs.map { String(format: "%.2fx", $0 / ours) } ?? "-"))
        }
    }

    private func pipeMilliseconds(threads: Int) -> Double {
        let store = ParameterStore(seed: 1)
        let conv = Conv2d(store.scope("conv"), inChannels: 64, outChannels: 64, kernelSize: 3,
                          options: Conv2dOptions(padding: 1), bias: false)
        let bn = BatchNorm2d(store.scope("bn"), features: 64)
        var rng = SplitMix64(seed: 2)
        let x = Variable(rng.uniformTensor(shape, -1, 1))
        return Compute.$current.withValue(Compute(threads: threads)) {
            medianSeconds(repeats) {
                store.zeroGrad()
                let y = relu(bn(conv(x)))
                y.backward(seed: y.value)
            } * 1000
        }
    }

    private func torchMilliseconds(threads: Int) -> Double? {
        let script = """
        import time, torch
        torch.set_num_threads(\(threads))
        conv = torch.nn.Conv2d(64, 64, 3, padding=1, bias=False); bn = torch.nn.BatchNorm2d(64)
        x = torch.rand(\(shape))
        def step():
            conv.zero_grad(); bn.zero_grad()
            y = torch.relu(bn(conv(x))); y.backward(y.detach())
        step(); ts = []
        for _ in range(\(repeats)):
            t0 = time.perf_counter(); step(); ts.append(time.perf_counter() - t0)
        print(sorted(ts)[len(ts) // 2] * 1000)
        """
        var env = ProcessInfo.processInfo.environment
        env["OMP_NUM_THREADS"] = String(threads)
        return (try? runPython(script, environment: env)).flatMap { Double($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }
}

/// One training step (forward, bce+jaccard loss, backward, Adam) of a small
/// 3-level U-Net (conv-bn-relu blocks, max pooling, nearest upsampling,
/// skip concatenation) on 8 x 3 x 128 x 128, pipe vs the same net in PyTorch.
struct UNetStepBench {
    let repeats: Int
    let threads: [Int]
    let compareTorch: Bool

    func run() {
        print("\nsmall U-Net training step (8 x 3 x 128 x 128, widths 32/64/128), median ms of \(repeats) runs")
        print("threads  pipe      torch     torch/pipe")
        for t in threads {
            let ours = pipeMilliseconds(threads: t)
            let theirs = compareTorch ? torchMilliseconds(threads: t) : nil
            print(pad(t, 9) + pad(String(format: "%.1f", ours), 10)
                  + pad(theirs.map { String(format: "%.1f", $0) } ?? "-", 10)
                  + (theirs.map { String(format: "%.2fx", $0 / ours) } ?? "-"))
        }
    }

    private func pipeMilliseconds(threads: Int) -> Double {
        let store = ParameterStore(seed: 1)
        let root = store.scope()
        func block(_ name: String, _ cin: Int, _ cout: Int) -> (Variable) -> Variable {
            let conv = Conv2d(root.child(name).child("conv"), inChannels: cin, outChannels: cout, kernelSize: 3,
                              options: Conv2dOptions(padding: 1), bias: false)
            let bn = BatchNorm2d(root.child(name).child("bn"), features: cout)
            return { relu(bn(conv($0))) }
        }
        let e1 = block("e1", 3, 32), e2 = block("e2", 32, 64), e3 = block("e3", 64, 128)
        let d2 = block("d2", 192, 64), d1 = block("d1", 96, 32)
        let head = Conv2d(root.child("head"), inChannels: 32, outChannels: 1, kernelSize: 1)
        let opt = Adam(parameters: store.parameters, learningRate: 1e-3)
        var rng = SplitMix64(seed: 2)
        let x = Variable(rng.uniformTensor([8, 3, 128, 128], 0, 1))
        var target = rng.uniformTensor([8, 1, 128, 128], 0, 1)
        for i in 0..<target.count { target.storage[i] = target.storage[i] > 0.7 ? 1 : 0 }
        return Compute.$current.withValue(Compute(threads: threads)) {
            medianSeconds(repeats) {
                store.zeroGrad()
                let s1 = e1(x), s2 = e2(maxPool2d(s1, kernel: 2)), s3 = e3(maxPool2d(s2, kernel: 2))
                let u2 = d2(concat([upsampleNearest(s3), s2])), u1 = d1(concat([upsampleNearest(u2), s1]))
                bceJaccardLoss(head(u1), target).backward()
                opt.step()
            } * 1000
        }
    }

    private func torchMilliseconds(threads: Int) -> Double? {
        let script = """
        import time, torch, torch.nn as nn, torch.nn.functional as F
        torch.set_num_threads(\(threads))
        def block(i, o): return nn.Sequential(nn.Conv2d(i, o, 3, padding=1, bias=False), nn.BatchNorm2d(o), nn.ReLU())
        e1, e2, e3, d2, d1 = block(3, 32), block(32, 64), block(64, 128), block(192, 64), block(96, 32)
        head = nn.Conv2d(32, 1, 1)
        mods = nn.ModuleList([e1, e2, e3, d2, d1, head])
        opt = torch.optim.Adam(mods.parameters(), 1e-3)
        x = torch.rand(8, 3, 128, 128); t = (torch.rand(8, 1, 128, 128) > 0.7).float()
        def step():
            opt.zero_grad()
            s1 = e1(x); s2 = e2(F.max_pool2d(s1, 2)); s3 = e3(F.max_pool2d(s2, 2))
            u2 = d2(torch.cat([F.interpolate(s3, scale_factor=2), s2], 1))
            u1 = d1(torch.cat([F.interpolate(u2, scale_factor=2), s1], 1))
            p = head(u1); q = torch.sigmoid(p); i = (q * t).sum()
            loss = F.binary_cross_entropy_with_logits(p, t) + 1 - (i + 1e-5) / (q.sum() + t.sum() - i + 1e-5)
            loss.backward(); opt.step()
        step(); ts = []
        for _ in range(\(repeats)):
            t0 = time.perf_counter(); step(); ts.append(time.perf_counter() - t0)
        print(sorted(ts)[len(ts) // 2] * 1000)
        """
        var env = ProcessInfo.processInfo.environment
        env["OMP_NUM_THREADS"] = String(threads)
        return (try? runPython(script, environment: env)).flatMap { Double($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }
}
