import Foundation
import NeuralNetKernels

/// Whether this machine can run NeuralNetKernels' AVX2 + FMA loops: every
/// flag of `KernelRequirements.cpuFlags` in /proc/cpuinfo, read once. Where
/// it cannot (or off Linux), NeuralNet uses its portable paths.
enum KernelSupport {
    static let available: Bool = {
        let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        guard let flagLine = cpuinfo.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else { return false }
        let flags = Set(flagLine.split(separator: ":").last?.split(separator: " ").map(String.init) ?? [])
        return flags.isSuperset(of: KernelRequirements.cpuFlags)
    }()
}
