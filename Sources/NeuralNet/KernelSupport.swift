import NeuralNetKernels

/// Whether NeuralNet uses NeuralNetKernels' AVX2 + FMA loops: only when the
/// CPU has every flag of `KernelRequirements.cpuFlags` (/proc/cpuinfo, read
/// once). Elsewhere (or off Linux) NeuralNet takes its portable paths.
enum KernelSupport {
    /// True when this machine's CPU can run the kernels.
    static let cpuCanRun = CPUInfo.flags(CPUInfo.text).isSuperset(of: KernelRequirements.cpuFlags)

    /// Tests set this to false to exercise the portable paths on any machine.
    /// Like `Compute.current`, read it on the thread that starts an op, not in its workers.
    @TaskLocal static var enabled = true

    /// True when ops started on this task should use the kernels.
    static var available: Bool { enabled && cpuCanRun }
}
