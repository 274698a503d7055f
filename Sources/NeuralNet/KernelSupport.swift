import Foundation
import NeuralNetKernels

/// Whether NeuralNet uses NeuralNetKernels' AVX2 + FMA loops: only when the
/// CPU has every flag of `KernelRequirements.cpuFlags` (/proc/cpuinfo, read
/// once). Elsewhere (or off Linux) NeuralNet takes its portable paths.
enum KernelSupport {
    /// True when this machine's CPU can run the kernels.
    static let cpuCanRun: Bool = {
        let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        guard let flagLine = cpuinfo.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else { return false }
        let flags = Set(flagLine.split(separator: ":").last?.split(separator: " ").map(String.init) ?? [])
        return flags.isSuperset(of: KernelRequirements.cpuFlags)
    }()

    /// Tests set this to false to exercise the portable paths on any machine.
    /// Like `Compute.current`, read it on the thread that starts an op, not in its workers.
    @TaskLocal static var enabled = true

    /// True when ops started on this task should use the kernels.
    static var available: Bool { enabled && cpuCanRun }
}
