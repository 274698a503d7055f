import Foundation
import TestSupport
import Testing

/// The README's set-up command (`swift build -c release --static-swift-stdlib`)
/// builds every target that is not a test target, support targets under
/// `Tests/` included, and the static toolchain has no `Testing` or `XCTest`
/// module: one such import there fails a newcomer's first command while
/// every test still passes.
@Test func noTargetTheReleaseBuildCompilesImportsATestFramework() throws {
    let root = PipeRepository.root
    let manifest = try String(contentsOf: root.appendingPathComponent("Package.swift"), encoding: .utf8)
    // `.target(name: "X", ..., path: "Tests/X")`: a support target outside Sources/ (test targets may import them).
    let supportFolders = manifest.split(separator: "\n").filter { !$0.contains(".testTarget(") }
        .compactMap { line -> String? in
            guard let start = line.range(of: "path: \"Tests/") else { return nil }
            let rest = line[start.upperBound...]
            return rest.firstIndex(of: "\"").map { "Tests/" + rest[..<$0] }
        }
    #expect(supportFolders.contains("Tests/TestSupport"), "the manifest's support targets were not found")
    var offenders: [String] = []
    for folder in ["Sources", "Fuzz"] + supportFolders {
        let base = root.appendingPathComponent(folder)
        guard let walker = FileManager.default.enumerator(atPath: base.path) else { continue }
        for case let relative as String in walker where relative.hasSuffix(".swift") {
            let text = try String(contentsOf: base.appendingPathComponent(relative), encoding: .utf8)
            for line in text.split(separator: "\n") {
                let words = line.split(separator: " ")
                if words.count >= 2, words[words.count - 2] == "import", ["Testing", "XCTest"].contains(words.last!) {
                    offenders.append("\(folder)/\(relative): \(line)")
                }
            }
        }
    }
    #expect(offenders.isEmpty, "\(offenders)")
}
