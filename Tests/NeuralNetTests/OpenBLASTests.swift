import Foundation
import NeuralNet
import Testing

/// Kernel selection from /proc/cpuinfo (DESIGN §7) and the BLAS we link.
@Suite struct OpenBLASTests {
    static let xeon = "vendor_id\t: GenuineIntel\nflags\t\t: fpu sse sse2 avx avx2 fma avx512f avx512dq avx512cd avx512bw avx512vl\n"
    static let epyc = "vendor_id\t: AuthenticAMD\nflags\t\t: fpu sse sse2 ssse3 fma avx f16c avx2 bmi2\n"
    static let haswell = "vendor_id\t: GenuineIntel\nflags\t\t: fpu sse sse2 avx avx2 fma\n"
    static let old = "vendor_id\t: GenuineIntel\nflags\t\t: fpu sse sse2 ssse3\n"

    @Test func misdetectedXeonIsReexecutedWithSkylakeX() {
        #expect(OpenBLAS.coreTypeToForce(loaded: "Prescott", cpuinfo: Self.xeon, environment: [:]) == "SkylakeX")
        #expect(OpenBLAS.coreTypeToForce(loaded: "SkylakeX", cpuinfo: Self.xeon, environment: [:]) == nil)
    }

    @Test func avx2MachinesGetHaswellOrZenAndNeverAvx512() {
        #expect(OpenBLAS.coreTypeToForce(loaded: "Prescott", cpuinfo: Self.epyc, environment: [:]) == "Zen")
        #expect(OpenBLAS.coreTypeToForce(loaded: "Nehalem", cpuinfo: Self.haswell, environment: [:]) == "Haswell")
        #expect(OpenBLAS.coreTypeToForce(loaded: "Zen", cpuinfo: Self.epyc, environment: [:]) == nil)
        #expect(OpenBLAS.coreTypeToForce(loaded: "Prescott", cpuinfo: Self.old, environment: [:]) == nil)
    }

    @Test func userChoiceAndSecondExecAreLeftAlone() {
        #expect(OpenBLAS.coreTypeToForce(loaded: "Prescott", cpuinfo: Self.xeon, environment: ["OPENBLAS_CORETYPE": "Haswell"]) == nil)
        #expect(OpenBLAS.coreTypeToForce(loaded: "Prescott", cpuinfo: Self.xeon, environment: [OpenBLAS.reexecMarker: "1"]) == nil)
    }
}
