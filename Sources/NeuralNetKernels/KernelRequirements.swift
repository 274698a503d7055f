/// What this module's code needs from the CPU. The module is compiled for
/// haswell-class x86-64 (`-target-cpu haswell`: AVX2, FMA, BMI1/2, F16C,
/// MOVBE, LZCNT); NeuralNet calls into it only when /proc/cpuinfo lists
/// every one of these flags, and uses its own portable loops otherwise.
public enum KernelRequirements {
    /// The /proc/cpuinfo flag names (LZCNT is listed as "abm").
    public static let cpuFlags: Set<String> = ["avx", "avx2", "fma", "bmi1", "bmi2", "f16c", "movbe", "abm"]
}
