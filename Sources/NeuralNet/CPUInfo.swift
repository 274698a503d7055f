import Foundation

/// The CPU as Linux's /proc/cpuinfo describes it (empty text elsewhere): what
/// picks OpenBLAS's kernel family and whether NeuralNetKernels may run.
enum CPUInfo {
    /// /proc/cpuinfo's text, read once.
    static let text: String = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""

    /// The feature flags of the first processor `cpuinfo` lists (empty when it lists none).
    static func flags(_ cpuinfo: String) -> Set<String> {
        guard let line = cpuinfo.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else { return [] }
        return Set(line.split(separator: ":").last?.split(separator: " ").map(String.init) ?? [])
    }
}
