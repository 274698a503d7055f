import PipeCore
@testable import PipeSpec
import Testing

/// `pipe show` output is YAML that reads back as the same values.
@Suite struct SpecRenderingTests {
    @Test func renderedYAMLReadsBackTheSameValue() throws {
        let value = JSONValue.object([
            "pipeline": .string("v54"),
            "params": .object(["lr": .double(5e-4), "big": .double(1e20), "n": .int(-3), "flag": .bool(true),
                               "none": .null, "empty": .string(""), "yes": .string("yes"), "num": .string("123"),
                               "colon": .string("a: b"), "hash": .string("#x"), "nl": .string("a\nb"),
                               "quote": .string("say \"hi\""), "tab": .string("a\tb"), "dash": .string("-x")]),
            "stages": .object([
                "fit": .object(["kind": .string("command"), "cmd": .array([.string("sh"), .string("-c"), .string("x ${item}")]),
                                "outs": .array([]), "env": .object([:]),
                                "foreach": .array([.object(["a": .int(1), "b": .array([.int(1), .int(2)])]), .array([.string("x")])])]),
            ]),
        ])
        let text = SpecRendering.yaml(value, keyOrder: ["pipeline"])
        #expect(text.hasPrefix("pipeline: v54\n"))
        let document = YAMLComposer.compose(text, file: "show.yaml")
        #expect(document.diagnostics.isEmpty, "\(document.diagnostics)")
        #expect(document.root?.json == value, "\(text)")
    }

    @Test func shortScalarListsAreInline() {
        let text = SpecRendering.yaml(.object(["outs": .array([.string("a"), .string("b")]), "m": .object(["k": .int(1)])]))
        #expect(text == "m:\n  k: 1\nouts: [a, b]\n")
    }
}
