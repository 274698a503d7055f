import PipeCore
@testable import PipeSpec
import Testing

/// YAML tags by the 1.2 core schema, and integers that do not fit.
@Suite struct DistinctValueTests {
    private func compose(_ text: String) -> YAMLDocument { YAMLComposer.compose(text, file: "t.yaml") }

    @Test func tagsAreHonoured() throws {
        let document = compose("""
            a: ! 12
            b: ! true
            c: !!str 5
            d: !!int '12'
            e: !!float '1.5'
            f: !!float 2
            g: !!bool "false"
            h: !!null ''
            i: !!int 0x1F
            j: !!float .nan
            k: !!str
            l: !!seq [1]
            m: !!map {x: 1}
            """)
        #expect(document.diagnostics.isEmpty, "\(document.diagnostics)")
        let json = try #require(document.root?.json)
        #expect(json == .object([
            "a": .string("12"), "b": .string("true"), "c": .string("5"), "d": .int(12), "e": .double(1.5),
            "f": .double(2), "g": .bool(false), "h": .null, "i": .int(31), "j": .double(.nan), "k": .string(""),
            "l": .array([.int(1)]), "m": .object(["x": .int(1)]),
        ]))
    }

    @Test func badTaggedValuesAreLocatedErrors() {
        let document = compose("""
            a: !!int abc
            b: !!float 'x'
            c: !!bool yes
            d: !!null 0
            e: !custom 1
            f: !!int [1]
            g: !!timestamp 2001-12-14
            """)
        #expect(document.diagnostics.map(\.description) == [
            "t.yaml:1:4: '!!int abc' is not an integer; write digits, 0o17 or 0x1F, or drop the tag",
            "t.yaml:2:4: '!!float x' is not a number; write 1.5, 1e-3, .inf or .nan, or drop the tag",
            "t.yaml:3:4: '!!bool yes' is not true or false; write true or false, or drop the tag",
            "t.yaml:4:4: '!!null 0' is not null; write ~, null or nothing, or drop the tag",
            "t.yaml:5:4: unsupported tag '!custom'; specs use plain YAML values: remove the tag",
            "t.yaml:6:4: unsupported tag '!!int' on a list; remove the tag",
            "t.yaml:7:4: unsupported tag '!!timestamp'; specs use plain YAML values: remove the tag",
        ])
    }

    @Test func integersBeyond64BitsAreErrorsNeverFloats() {
        let document = compose("""
            a: 18446744073709551617
            b: 0x1FFFFFFFFFFFFFFFF
            c: -9223372036854775809
            d: 0o7777777777777777777777
            e: 1e400
            ok: [9223372036854775807, -9223372036854775808, 0x7FFFFFFFFFFFFFFF]
            """)
        let messages = document.diagnostics.map(\.description)
        #expect(messages.count == 5, "\(messages)")
        #expect(messages.first == "t.yaml:1:4: integer '18446744073709551617' does not fit in 64 bits "
                + "(-9223372036854775808...9223372036854775807); quote it if it is a string")
        #expect(messages.dropFirst().prefix(3).allSatisfy { $0.contains("does not fit in 64 bits") })
        #expect(messages.last == "t.yaml:5:4: number '1e400' is too large for a 64-bit float; use .inf if you mean infinity, or quote it")
        #expect(document.root?["ok"]?.json == .array([.int(.max), .int(.min), .int(.max)]))
    }

    @Test func overridesUseTheSameRules() throws {
        #expect(try specErrors("params: {n: 1}\nstages: {}\n", overrides: ["params.n=18446744073709551617"]) == [
            "--set params.n=18446744073709551617:1:10: integer '18446744073709551617' does not fit in 64 bits "
                + "(-9223372036854775808...9223372036854775807); quote it if it is a string",
        ])
        let spec = try loadSpec("params: {n: 1}\nstages: {}\n", overrides: ["params.n=[! 12, !!int '7']"])
        #expect(spec.params["n"] == .array([.string("12"), .int(7)]))
    }
}
