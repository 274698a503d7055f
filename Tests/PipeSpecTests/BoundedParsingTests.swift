import Foundation
import PipeCore
@testable import PipeSpec
import Testing

/// Hostile spec text gets a located error quickly: no crash, no giant allocation.
@Suite struct BoundedParsingTests {
    private func seconds(_ body: () throws -> Void) rethrows -> Double {
        let start = Date()
        try body()
        return Date().timeIntervalSince(start)
    }

    @Test func deepNestingIsALocatedError() throws {
        for (open, close) in [("[", "]"), ("{a: ", "}")] {
            let text = "params: {x: " + String(repeating: open, count: 5_000) + "1" + String(repeating: close, count: 5_000) + "}\nstages: {}\n"
            var errors: [String] = []
            let elapsed = try seconds { errors = try specErrors(text) }
            #expect(errors.count == 1)
            #expect(errors.first?.hasPrefix("spec.yaml:1:") == true)
            #expect(errors.first?.contains("nested more than 128 levels deep") == true, "\(errors)")
            #expect(elapsed < 5)
        }
        // A spec nested as deep as specs go still loads.
        let fine = "params: {x: " + String(repeating: "[", count: 100) + "1" + String(repeating: "]", count: 100) + "}\nstages: {}\n"
        #expect(try specErrors(fine).isEmpty)
    }

    @Test func aliasBombIsRejectedQuickly() throws {
        var text = "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
        for level in 1...9 {
            let refs = Array(repeating: "*a\(level - 1)", count: 9).joined(separator: ", ")
            text += "a\(level): &a\(level) [\(refs)]\n"
        }
        let spec = "params:\n" + text.split(separator: "\n").map { "  " + $0 }.joined(separator: "\n") + "\nstages: {}\n"
        var errors: [String] = []
        let elapsed = try seconds { errors = try specErrors(spec) }
        #expect(errors.count == 1)
        #expect(errors.first?.contains("expands to more than 200000 values") == true, "\(errors)")
        #expect(errors.first?.hasPrefix("spec.yaml:") == true)
        #expect(elapsed < 2)
        // Modest aliasing is fine.
        #expect(try specErrors("params:\n  base: &b {lr: 1}\n  other: *b\n  more: {<<: *b, x: 2}\nstages: {}\n").isEmpty)
    }

    @Test func selfReferenceThroughAPathNamesTheChain() throws {
        #expect(try specErrors("params:\n  a: \"${params.a.x}\"\nstages: {}\n") == [
            "spec.yaml:2:6: params form a cycle: params.a -> params.a.x -> params.a; replace one reference with a value",
        ])
        let viaSet = try specErrors("params: {a: {x: 1}}\nstages: {}\n", overrides: ["params.a=${params.a.x}"])
        #expect(viaSet.count == 1)
        #expect(viaSet.first?.contains("params form a cycle: params.a -> params.a.x -> params.a") == true, "\(viaSet)")
        #expect(try specErrors("params: {a: \"${params.b}\", b: \"${params.a}\"}\nstages: {}\n").first?
            .contains("params.a -> params.b -> params.a") == true)
        // A mapping may read its own plain members.
        let spec = try loadSpec("params: {m: {arch: unet, name: \"${params.m.arch}-x\"}}\nstages: {}\n")
        #expect(spec.params.value(at: ["m", "name"]) == .string("unet-x"))
    }

    @Test func bytesThatAreNotUTF8AreLocated() throws {
        let project = try SpecProject([:])
        defer { project.directory.remove() }
        var bytes = Data("stages:\n  a: {kind: command, cmd: \"echo ".utf8)
        bytes.append(contentsOf: [0xC3, 0x28])
        bytes.append(Data("\", outs: []}\n".utf8))
        try bytes.write(to: project.directory.file("spec.yaml"))
        #expect(project.errors() == ["spec.yaml:2:33: byte 0xC3 is not UTF-8 text; save the spec as UTF-8"])
    }

    @Test func numbersMustBeFinite() throws {
        let errors = try specErrors("""
            data: {train: {synthetic: {images: 2}}}
            stages:
              t: {kind: tile, from: data.train}
              fit: {kind: train, from: t, optimizer: {lr: .nan, lookahead: {k: 1, alpha: .inf}}, threshold: -.inf}
            """)
        #expect(errors == [
            "spec.yaml:4:47: 'fit.optimizer.lr': must be a finite number, got .nan",
            "spec.yaml:4:78: 'fit.optimizer.lookahead.alpha': must be a finite number, got .inf",
            "spec.yaml:4:97: 'fit.threshold': must be a finite number, got -.inf",
        ])
    }

    @Test func listsThatAreSetsRefuseRepeats() throws {
        let errors = try specErrors("""
            stages:
              a:
                kind: command
                cmd: "true"
                outs: [x, ./x]
                foreach: [1, 1]
              b:
                kind: command
                deps: [a, a]
                cmd: "true"
                outs: []
            """)
        #expect(errors == [
            "spec.yaml:5:15: 'a.outs': output './x' repeats 'x'; list each file or directory once",
            "spec.yaml:6:18: 'a.foreach': item 1 repeats item 0 (line 6); remove one",
            "spec.yaml:9:15: 'b.deps': 'a' repeats item 0 (line 9); remove one",
        ])
    }

    @Test func metricsMustBeAnOutput() throws {
        let errors = try specErrors("""
            stages:
              a: {kind: command, cmd: "true", outs: [metrics.json], metrics: metric.json}
              b: {kind: command, cmd: "true", outs: [x], metrics: m.json}
            """)
        #expect(errors == [
            "spec.yaml:2:66: 'a.metrics': 'metric.json' is not one of outs; did you mean 'metrics.json'?",
            "spec.yaml:3:55: 'b.metrics': 'm.json' is not one of outs; add it to outs",
        ])
    }
}

@Test func paramsThatMultiplyThroughReferencesAreRefused() throws {
    var params = "  a0: [x, x, x, x, x, x, x, x, x, x]\n"
    for level in 1...9 {
        params += "  a\(level): [" + Array(repeating: "\"${params.a\(level - 1)}\"", count: 10).joined(separator: ", ") + "]\n"
    }
    let start = Date()
    let errors = try specErrors("params:\n" + params + "stages:\n  s: {kind: command, cmd: \"echo ${params.a9}\", outs: []}\n")
    #expect(Date().timeIntervalSince(start) < 5)
    #expect(errors.count == 1, "\(errors)")
    #expect(errors.first?.contains("params expand to more than 200000 values") == true, "\(errors)")
}
