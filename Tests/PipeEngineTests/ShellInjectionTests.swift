import EngineTestSupport
import Foundation
import PipeCore
import PipeEngine
import Testing

/// Values that would run `touch "$OWNED"` if they reached the shell unquoted;
/// `OWNED` is an absolute path in the fixture, set through the stage's env.
private let payloads = [
    "x; touch \"$OWNED\"", "$(touch \"$OWNED\")", "`touch \"$OWNED\"`", "x | touch \"$OWNED\"",
    "x\ntouch \"$OWNED\"", "it's'; touch \"$OWNED\"; '", "say \"hi\"; touch \"$OWNED\" #",
]

/// A YAML double-quoted scalar holding exactly `text`.
private func yaml(_ text: String) -> String { String(decoding: JSONValue.string(text).canonicalData, as: UTF8.self) }

/// Stages that print `${ref}` into out-N.txt from three places of a shell
/// string (bare, inside '...', inside "...") and from an argv list.
private func echoStages(_ reference: String, extra: String = "") -> String {
    let commands = [
        "printf '%s' \(reference) > out.txt", "printf '%s' '\(reference)' > out.txt",
        "printf '%s' \"\(reference)\" > out.txt",
    ]
    var text = "stages:\n"
    for (index, command) in commands.enumerated() {
        text += "  s\(index):\n    kind: command\n    env: {OWNED: OWNED_PATH}\n\(extra)    cmd: \(yaml(command))\n    outs: [out.txt]\n"
    }
    text += "  argv:\n    kind: command\n    env: {OWNED: OWNED_PATH}\n\(extra)"
        + "    cmd: [\"sh\", \"-c\", \"printf '%s' \\\"$1\\\" > out.txt\", \"sh\", \(yaml(reference))]\n    outs: [out.txt]\n"
    return text
}

/// Runs `spec` (and `files`) once per payload; checks every stage printed
/// the payload's exact bytes and that nothing ran it.
private func expectNoInjection(spec: (String) -> String, files: (String) -> [String: String] = { _ in [:] },
                               overrides: (String) -> [String] = { _ in [] },
                               outputs: [String] = ["s0", "s1", "s2", "argv"]) async throws {
    for payload in payloads {
        let fixture = try EngineFixture()
        defer { fixture.remove() }
        let owned = fixture.dir.file("owned").path
        try fixture.write("p.yaml", spec(payload).replacingOccurrences(of: "OWNED_PATH", with: owned))
        for (name, text) in files(payload) { try fixture.write(name, text.replacingOccurrences(of: "OWNED_PATH", with: owned)) }
        let report = try await fixture.run("p.yaml", overrides: overrides(payload))
        #expect(report.tasks(.failed).isEmpty, "payload \(payload.debugDescription): \(report.tasks.compactMap(\.error))")
        for stage in outputs {
            let out = try? String(contentsOf: fixture.dir.file("runs/p/\(stage)/out.txt"), encoding: .utf8)
            #expect(out == payload, "stage \(stage), payload \(payload.debugDescription)")
        }
        #expect(!FileManager.default.fileExists(atPath: owned), "payload \(payload.debugDescription) ran")
    }
}

@Suite struct ShellInjectionTests {
    @Test func topLevelParamsAreQuoted() async throws {
        try await expectNoInjection(spec: { "pipeline: p\nparams: {msg: \(yaml($0))}\n" + echoStages("${params.msg}") })
    }

    @Test func setOverridesAreQuoted() async throws {
        try await expectNoInjection(spec: { _ in "pipeline: p\nparams: {msg: harmless}\n" + echoStages("${params.msg}") },
                                    overrides: { ["params.msg=\($0)"] })
    }

    @Test func paramsFromAnExtendedParentAreQuoted() async throws {
        // The parent holds the commands, the child only the value.
        try await expectNoInjection(
            spec: { "pipeline: p\nextends: parent.yaml\nparams: {msg: \(yaml($0))}\n" },
            files: { _ in ["parent.yaml": "pipeline: parent\nparams: {msg: harmless}\n" + echoStages("${params.msg}")] })
    }

    @Test func stageParamsAreQuoted() async throws {
        try await expectNoInjection(spec: {
            "pipeline: p\n" + echoStages("${stage.params.msg}", extra: "    params: {msg: \(yaml($0))}\n")
        })
    }

    @Test func foreachItemsAreQuoted() async throws {
        // An item names a task and a folder: payloads without '/' that are valid items.
        for payload in ["x; touch \"$OWNED\"", "$(touch \"$OWNED\")", "it's'; touch \"$OWNED\"; '"] {
            let fixture = try EngineFixture()
            defer { fixture.remove() }
            let owned = fixture.dir.file("owned").path
            try fixture.write("p.yaml", """
                pipeline: p
                stages:
                  each:
                    kind: command
                    env: {OWNED: \(owned)}
                    foreach: [\(yaml(payload))]
                    cmd: "printf '%s' ${item} > out.txt"
                    outs: [out.txt]
                """)
            let report = try await fixture.run("p.yaml")
            #expect(report.tasks(.failed).isEmpty)
            #expect(!FileManager.default.fileExists(atPath: owned), "item \(payload.debugDescription) ran")
        }
    }

    @Test func theKeyFollowsTheQuotedValue() async throws {
        let fixture = try EngineFixture()
        defer { fixture.remove() }
        try fixture.write("p.yaml", "pipeline: p\nparams: {msg: a}\n" + echoStages("${params.msg}"))
        let first = try await fixture.run("p.yaml")
        #expect(first.tasks(.ran).count == 4)
        #expect(try await fixture.run("p.yaml").tasks(.cached).count == 4)
        let changed = try await fixture.run("p.yaml", overrides: ["params.msg=a; b"])
        for task in changed.tasks {
            // s0 and s1 become the same command ('a; b' either way), so one may reuse the other's result.
            #expect(task.key != first.tasks.first { $0.task == task.task }?.key, "\(task.task)")
            #expect(try String(contentsOf: fixture.dir.file("runs/p/\(task.task)/out.txt"), encoding: .utf8) == "a; b")
        }
    }
}
