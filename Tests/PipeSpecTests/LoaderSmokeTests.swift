import Foundation
import PipeCore
@testable import PipeSpec
import Testing

@Suite struct LoaderSmokeTests {
    @Test func commandPipelineLoads() throws {
        let spec = try loadSpec("""
            params: {size: 256, lr: 0.001}
            data: {raw: data/raw}
            stages:
              prep:
                kind: command
                deps: [data.raw, scripts/prep.py]
                params: {size: "${params.size}"}
                cmd: "python3 scripts/prep.py --size ${stage.params.size} --in ${deps.data.raw} --out prepared"
                outs: [prepared]
              fit:
                kind: command
                deps: [prep]
                params: {lr: "${params.lr}"}
                cmd: ["sh", "-c", "cat ${deps.prep}/prepared/* > model.bin"]
                outs: [model.bin]
            """, files: ["data/raw/a.txt": "a", "scripts/prep.py": "print(1)"])
        #expect(spec.name == "spec")
        #expect(spec.stages.map(\.name) == ["prep", "fit"])
        #expect(spec.data.map(\.name) == ["raw"])
        let prep = try #require(spec.stage("prep"))
        #expect(prep.inputs == [.data("raw"), .path("scripts/prep.py")])
        #expect(prep.config["params"] == .object(["size": .int(256)]))
        #expect(prep.config["env"] == .object([:]))
        #expect(prep.config["cmd"]?.stringValue?.contains("${stage.params.size}") == true)
        #expect(spec.stage("fit")?.inputs == [.stage("prep")])
        #expect(spec.stage("fit")?.config["params"] == .object(["lr": .double(0.001)]))
        #expect(spec.resolved["stages"]?["fit"]?["kind"] == .string("command"))
    }
}
