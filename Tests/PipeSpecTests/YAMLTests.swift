import PipeCore
@testable import PipeSpec
import Testing

/// The composer: YAML 1.2 core-schema scalars, locations, anchors.
@Suite struct YAMLTests {
    private func compose(_ text: String) throws -> SpecNode {
        let document = YAMLComposer.compose(text, file: "t.yaml")
        #expect(document.diagnostics.isEmpty)
        return try #require(document.root)
    }

    @Test(arguments: [
        ("1e-3", JSONValue.double(0.001)), ("1.5", .double(1.5)), ("-2.", .double(-2)), (".5", .double(0.5)),
        ("0x10", .int(16)), ("0o17", .int(15)), ("42", .int(42)), ("-7", .int(-7)), ("+3", .int(3)),
        ("~", .null), ("null", .null), ("NULL", .null), ("", .null),
        ("true", .bool(true)), ("False", .bool(false)), ("TRUE", .bool(true)),
        ("yes", .string("yes")), ("on", .string("on")), ("no", .string("no")), ("0x1G", .string("0x1G")),
        ("1_000", .string("1_000")), ("abc", .string("abc")), (".inf", .double(.infinity)), ("-.Inf", .double(-.infinity)),
    ])
    func plainScalarsFollowTheCoreSchema(text: String, expected: JSONValue) {
        #expect(YAMLScalar.resolve(plain: text) == expected)
    }

    @Test func nanIsAFloat() {
        #expect(YAMLScalar.resolve(plain: ".nan")?.doubleValue?.isNaN == true)
    }

    @Test func quotedScalarsAreStrings() throws {
        let root = try compose("a: '1e-3'\nb: \"true\"\nc: !!str 5\nd: 1e-3\n")
        #expect(root.json == .object(["a": .string("1e-3"), "b": .string("true"), "c": .string("5"), "d": .double(0.001)]))
    }

    @Test func everyNodeAndKeyKeepsItsLocation() throws {
        let root = try compose("stages:\n  fit:\n    lr: [1, 2]\n")
        let fit = try #require(root["stages"]?.entry("fit"))
        #expect(fit.keyLocation == SourceLocation(file: "t.yaml", line: 2, column: 3))
        let lr = try #require(fit.value.entry("lr"))
        #expect(lr.value.location == SourceLocation(file: "t.yaml", line: 3, column: 9))
        #expect(lr.value.items?[1].location == SourceLocation(file: "t.yaml", line: 3, column: 13))
    }

    @Test func aliasesResolveToTheAnchoredNode() throws {
        let root = try compose("base: &opt {lr: 0.1}\nother: *opt\n")
        #expect(root["other"]?.json == .object(["lr": .double(0.1)]))
    }

    @Test func unknownAliasAndNonStringKeysAreErrors() {
        let document = YAMLComposer.compose("a: *nope\n1: x\n[b]: y\n", file: "t.yaml")
        #expect(document.diagnostics.map(\.description) == [
            "t.yaml:1:4: unknown alias '*nope'; define '&nope' before using it",
            "t.yaml:2:1: mapping key 1 is not a string; quote it or use a name",
            "t.yaml:3:1: mapping key a list is not a string; quote it or use a name",
        ])
    }

    @Test func secondDocumentIsAnError() {
        let document = YAMLComposer.compose("a: 1\n---\nb: 2\n", file: "t.yaml")
        #expect(document.diagnostics.map(\.description) == [
            "t.yaml:2:1: a spec holds one YAML document; remove the second '---' and what follows",
        ])
    }

    @Test func emptyDocumentHasNoRoot() {
        let document = YAMLComposer.compose("# nothing\n", file: "t.yaml")
        #expect(document.root == nil || document.root?.isNull == true)
        #expect(document.diagnostics.isEmpty)
    }
}

@Suite struct YAMLMergeKeyTests {
    @Test func mergeKeysBringInAnchoredEntriesOwnKeysWin() throws {
        let document = YAMLComposer.compose("""
            base: &base {lr: 0.1, seed: 1}
            more: &more {seed: 2, folds: 4}
            fit: {<<: [*base, *more], lr: 0.2}
            """, file: "t.yaml")
        #expect(document.diagnostics.isEmpty)
        #expect(document.root?["fit"]?.json == .object(["lr": .double(0.2), "seed": .int(1), "folds": .int(4)]))
    }

    @Test func quotedMergeKeyIsAnOrdinaryKey() throws {
        let document = YAMLComposer.compose("a: {'<<': 1}\n", file: "t.yaml")
        #expect(document.root?["a"]?.json == .object(["<<": .int(1)]))
    }
}
