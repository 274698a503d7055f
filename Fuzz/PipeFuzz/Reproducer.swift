import Foundation

// pipe-fuzz is built two ways (scripts/fuzz.sh):
// - for fuzzing, with `-sanitize=fuzzer,address -parse-as-library -D PIPE_FUZZ`: there is no @main;
//   `pipe_fuzz_main` runs libFuzzer's driver on `LLVMFuzzerTestOneInput`; PIPE_FUZZ_TARGET names the target;
// - in the normal build, as a reproducer: `pipe-fuzz TARGET FILE...` runs the target on files
//   (a saved crash, a corpus) and prints one line per file.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let bytes = data.map { Data(bytes: $0, count: count) } ?? Data()
    FuzzTarget.selected.run(bytes)
    return 0
}

#if PIPE_FUZZ
/// libFuzzer's entry point, called from `LLVMFuzzerRunDriver`.
typealias FuzzCallback = @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt

@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<CInt>,
                         _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                         _ callback: FuzzCallback) -> CInt

/// SwiftPM links executables on Linux with `main` defined as `<module>_main`, so libFuzzer's own
/// `main` is never used: this is that function, handing the command line to libFuzzer's driver.
@_cdecl("pipe_fuzz_main")
func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var arguments = argv
    return LLVMFuzzerRunDriver(&count, &arguments) { data, size in fuzzOneInput(data, size) }
}
#else
@main
struct Reproducer {
    static func main() {
        let arguments = CommandLine.arguments.dropFirst()
        guard let name = arguments.first, let target = FuzzTarget(rawValue: name), arguments.count >= 2 else {
            print("usage: pipe-fuzz TARGET FILE...   (targets: \(FuzzTarget.allCases.map(\.rawValue).joined(separator: ", ")))")
            exit(2)
        }
        for path in arguments.dropFirst() {
            guard let bytes = FileManager.default.contents(atPath: path) else {
                print("\(path): cannot read")
                exit(2)
            }
            target.run(bytes)
            print("\(path): ok")
        }
    }
}
#endif
