import PipeCore
import PipeSpec
import Testing

/// `${params...}`: exact references keep their type, longer strings stringify.
@Suite struct InterpolationTests {
    @Test func exactReferenceKeepsTheType() throws {
        let spec = try loadSpec("""
            data: {train: {synthetic: {images: 2}}}
            params: {size: 256, model: {arch: unet, depth: 4}, name: "${params.model.arch}-${params.size}"}
            stages:
              tile: {kind: tile, from: data.train, size: "${params.size}"}
              note:
                kind: command
                params: {model: "${params.model}", name: "${params.name}", depth: "${params.model.depth}"}
                cmd: "echo ${params.size} ${stage.params.name} ${item} $${HOME} ${deps.tile}"
                foreach: [1, 2]
                deps: [tile]
                outs: [o]
            """)
        #expect(spec.stage("tile")?.config["size"] == .int(256))
        let note = try #require(spec.stage("note"))
        #expect(note.config["params"] == .object([
            "model": .object(["arch": .string("unet"), "depth": .int(4)]),
            "name": .string("unet-256"), "depth": .int(4),
        ]))
        // `$${` is kept for the engine, which substitutes run-time references and unescapes it.
        #expect(note.config["cmd"] == .string("echo 256 ${stage.params.name} ${item} $${HOME} ${deps.tile}"))
        #expect(spec.params["name"] == .string("unet-256"))
    }

    @Test func escapedReferencesAreNotInterpolated() throws {
        let spec = try loadSpec("""
            params: {p: "a$${params.nope}", q: "${params.p}-$${x}"}
            stages: {}
            """)
        #expect(spec.params["q"] == .string("a$${params.nope}-$${x}"))
    }

    @Test func paramsMayReferenceThroughReferences() throws {
        let spec = try loadSpec("""
            params: {base: {lr: 0.01}, chosen: "${params.base}", lr: "${params.chosen.lr}"}
            stages: {}
            """)
        #expect(spec.params["lr"] == .double(0.01))
    }

    @Test func unknownNamespaceAndUnterminatedAreErrors() throws {
        let errors = try specErrors("""
            stages:
              a: {kind: command, cmd: "echo ${HOME}", outs: [o]}
              b: {kind: command, cmd: "echo ${params.x", outs: [o]}
            """)
        #expect(errors == [
            "spec.yaml:2:27: unknown reference '${HOME}'; use ${params.NAME}, ${stage.…}, ${deps.…} or ${item}, "
                + "or write '$${' for a literal '${'",
            "spec.yaml:3:27: unterminated '${' in \"echo ${params.x\"; close it with '}' or write '$${' for a literal '${'",
        ])
    }

    @Test func interpolatedValueIsStillValidated() throws {
        let errors = try specErrors("""
            params: {size: abc}
            data: {train: {synthetic: {images: 2}}}
            stages:
              tile: {kind: tile, from: data.train, size: "${params.size}"}
            """)
        #expect(errors == ["spec.yaml:4:46: 'tile.size': expected an integer, got \"abc\""])
    }
}
