// swift-tools-version: 6.1
import PackageDescription

/// Module layout: DESIGN.md §6. Dependencies point down:
/// pipe -> PipeReport -> PipeEngine -> (PipeStages, PipeCache, PipeSpec) -> PipeCore;
/// PipeStages -> (Imaging, NeuralNet). Stages never import PipeCache; the
/// engine imports neither Imaging nor NeuralNet (the report draws with Imaging).
/// The numeric modules are optimised in debug builds too: unoptimised, their
/// pixel and tensor loops run 10-50x slower, which makes tests that train a
/// model or tile an image needlessly slow. Other modules keep -Onone.
let optimizedEvenInDebug: [SwiftSetting] = [.unsafeFlags(["-O"], .when(configuration: .debug))]

/// NeuralNetKernels holds SIMD loops compiled for AVX2 + FMA on x86-64; NeuralNet
/// calls them only after /proc/cpuinfo shows the CPU has those features.
#if arch(x86_64)
let simdKernels: [SwiftSetting] = [.unsafeFlags(["-target-cpu", "haswell"]), .unsafeFlags(["-O"], .when(configuration: .debug))]
#else
let simdKernels = optimizedEvenInDebug
#endif

let package = Package(
    name: "pipe",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "pipe", targets: ["pipe"]),
        .executable(name: "pipe-bench", targets: ["pipe-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
    ],
    targets: [
        // System C libraries, each behind a thin shim header.
        .systemLibrary(name: "CYAML", pkgConfig: "yaml-0.1", providers: [.apt(["libyaml-dev"])]),
        .systemLibrary(name: "CTIFF", pkgConfig: "libtiff-4", providers: [.apt(["libtiff-dev"])]),
        // OpenBLAS is loaded with dlopen on first use (NeuralNet/BLAS.swift), not linked: the shim only declares its calls.
        .systemLibrary(name: "COpenBLAS"),
        .systemLibrary(name: "CPNG", pkgConfig: "libpng", providers: [.apt(["libpng-dev"])]),
        .systemLibrary(name: "CJPEG", pkgConfig: "libjpeg", providers: [.apt(["libjpeg-dev"])]),

        .target(name: "PipeCore", dependencies: ["CProcessGuard", .product(name: "Crypto", package: "swift-crypto")]),
        .target(name: "PipeSpec", dependencies: ["PipeCore", "CYAML"]),
        .target(name: "PipeCache", dependencies: ["PipeCore", .product(name: "GRDB", package: "GRDB.swift")]),
        .target(name: "Imaging", dependencies: ["CTIFF", "CPNG", "CJPEG"], swiftSettings: optimizedEvenInDebug),
        .target(name: "NeuralNetKernels", swiftSettings: simdKernels),
        .target(name: "NeuralNet", dependencies: ["COpenBLAS", "NeuralNetKernels"], swiftSettings: optimizedEvenInDebug),
        // Starts command stages under a guard process (fork/exec in C: only async-signal-safe calls after fork).
        .target(name: "CProcessGuard"),
        .target(name: "PipeStages", dependencies: ["PipeCore", "PipeSpec", "Imaging", "NeuralNet", "CProcessGuard"]),
        // The remote cache: content-addressed objects and run records on S3 or a shared filesystem.
        .target(name: "PipeRemote", dependencies: [
            "PipeCore", "PipeCache",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        .target(name: "PipeEngine", dependencies: ["PipeCore", "PipeSpec", "PipeCache", "PipeStages"]),
        // The experiment table, `pipe diff`'s comparison and the HTML report: read-only views of specs and history.
        .target(name: "PipeReport", dependencies: ["PipeCore", "PipeSpec", "PipeCache", "PipeStages", "PipeEngine", "Imaging", "NeuralNet"]),
        .executableTarget(name: "pipe", dependencies: [
            "PipeCore", "PipeEngine", "PipeReport", "PipeSpec", "PipeCache", "PipeStages", "Imaging", "NeuralNet", "PipeRemote",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "pipe-bench", dependencies: [
            "PipeEngine", "PipeCache", "PipeCore", "PipeRemote", "PipeSpec", "Imaging", "NeuralNet",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        // libFuzzer targets for the parsers of untrusted bytes (scripts/fuzz.sh builds it with
        // -sanitize=fuzzer,address); in the normal build, a reproducer: `pipe-fuzz TARGET FILE...`.
        .executableTarget(name: "pipe-fuzz", dependencies: ["PipeSpec", "PipeStages", "Imaging", "NeuralNet"],
                          path: "Fuzz/PipeFuzz"),

        .target(name: "TestSupport", dependencies: ["PipeCore"], path: "Tests/TestSupport"),
        // Throw-away workspaces that run specs through the real loader and engine (engine and report tests).
        .target(name: "EngineTestSupport", dependencies: ["PipeEngine", "PipeCache", "PipeSpec", "PipeStages", "TestSupport"],
                path: "Tests/EngineTestSupport"),
        .testTarget(name: "PipeCoreTests", dependencies: ["PipeCore", "TestSupport"]),
        // Test targets that run the built executables depend on them, so `swift test` builds them first.
        .testTarget(name: "PipeSpecTests", dependencies: ["PipeSpec", "TestSupport", "pipe"]),
        .testTarget(name: "PipeCacheTests", dependencies: ["PipeCache", "TestSupport"]),
        .testTarget(name: "PipeRemoteTests", dependencies: ["PipeRemote", "PipeCache", "PipeCore", "TestSupport"]),
        .testTarget(name: "ImagingTests", dependencies: ["Imaging", "TestSupport", "pipe"]),
        .testTarget(name: "NeuralNetTests", dependencies: ["NeuralNet", "TestSupport"]),
        .testTarget(name: "PipeStagesTests", dependencies: ["PipeStages", "PipeCore", "PipeSpec", "Imaging", "NeuralNet", "TestSupport", .product(name: "Crypto", package: "swift-crypto")]),
        .testTarget(name: "PipeEngineTests", dependencies: ["PipeEngine", "PipeCache", "PipeSpec", "PipeStages", "Imaging", "NeuralNet", "TestSupport", "EngineTestSupport"]),
        .testTarget(name: "PipeReportTests", dependencies: ["PipeReport", "PipeEngine", "PipeCache", "PipeSpec", "PipeStages", "Imaging", "TestSupport", "EngineTestSupport"]),
        .testTarget(name: "EndToEndTests", dependencies: ["PipeCore", "Imaging", "NeuralNet", "TestSupport", "pipe", "pipe-fuzz"]),
    ]
)
