import EngineTestSupport
import Foundation
import PipeCore
import PipeEngine
import Testing

@Test func failingCommandReportsItsLogAndSkipsDependents() async throws {
    let fixture = try EngineFixture()
    defer { fixture.remove() }
    try fixture.write("p.yaml", """
        pipeline: p
        stages:
          bad:
            kind: command
            cmd: "echo about to fail; exit 3"
            outs: [x]
          after:
            kind: command
            deps: [bad]
            cmd: "true"
            outs: []
          independent:
            kind: command
            cmd: "echo ok > y"
            outs: [y]
        """)
    let report = try await fixture.run("p.yaml")
    let bad = try #require(report.tasks.first { $0.task == "bad" })
    #expect(bad.status == .failed)
    #expect(bad.error?.contains("exited with status 3") == true)
    #expect(bad.log?.contains("about to fail") == true)
    #expect(report.tasks(.skipped) == ["after"])
    #expect(report.tasks(.ran) == ["independent"])
}

@Test func undeclaredInputIsNotVisibleToTheCommand() async throws {
    let fixture = try EngineFixture()
    defer { fixture.remove() }
    try fixture.write("secret.txt", "not declared")
    try fixture.write("declared.txt", "declared")
    try fixture.write("p.yaml", """
        pipeline: p
        stages:
          ok:
            kind: command
            deps: [declared.txt]
            cmd: "cat declared.txt > copy.txt"
            outs: [copy.txt]
          sneaky:
            kind: command
            cmd: "cat secret.txt > copy.txt"
            outs: [copy.txt]
        """)
    let report = try await fixture.run("p.yaml")
    #expect(report.tasks(.ran) == ["ok"])
    #expect(report.tasks(.failed) == ["sneaky"])
    #expect(try String(contentsOf: fixture.dir.file("runs/p/ok/copy.txt"), encoding: .utf8) == "declared")
}

@Test func declaredOutputThatIsNotWrittenIsAnError() async throws {
    let fixture = try EngineFixture()
    defer { fixture.remove() }
    try fixture.write("p.yaml", """
        pipeline: p
        stages:
          lazy:
            kind: command
            cmd: "echo nothing"
            outs: [result.csv]
        """)
    let report = try await fixture.run("p.yaml")
    let task = try #require(report.tasks.first)
    #expect(task.status == .failed)
    #expect(task.error?.contains("did not write its declared output 'result.csv'") == true)
}

@Test func paramsAreShellQuotedAndArgvIsVerbatim() async throws {
    let fixture = try EngineFixture()
    defer { fixture.remove() }
    try fixture.write("p.yaml", """
        pipeline: p
        stages:
          quoted:
            kind: command
            params: {text: "it's $(not run); ok"}
            cmd: "printf '%s' ${stage.params.text} > out.txt"
            outs: [out.txt]
          argv:
            kind: command
            params: {text: "a b"}
            cmd: ["sh", "-c", "printf '%s' \\"$1\\" > out.txt", "sh", "${stage.params.text}"]
            outs: [out.txt]
        """)
    let report = try await fixture.run("p.yaml")
    #expect(report.tasks(.ran) == ["argv", "quoted"])
    #expect(try String(contentsOf: fixture.dir.file("runs/p/quoted/out.txt"), encoding: .utf8) == "it's $(not run); ok")
    #expect(try String(contentsOf: fixture.dir.file("runs/p/argv/out.txt"), encoding: .utf8) == "a b")
}

@Test func metricsAreReadFromTheDeclaredFile() async throws {
    let fixture = try EngineFixture()
    defer { fixture.remove() }
    try fixture.write("p.yaml", """
        pipeline: p
        stages:
          score:
            kind: command
            cmd: "echo '{\\"dice\\": 0.91, \\"note\\": \\"text is dropped\\"}' > m.json"
            outs: [m.json]
            metrics: m.json
        """)
    let report = try await fixture.run("p.yaml")
    #expect(report.tasks.first?.metrics == .object(["dice": .double(0.91)]))
}

@Test func doubledDollarBraceIsALiteralForTheShell() async throws {
    let fixture = try EngineFixture()
    defer { fixture.remove() }
    try fixture.write("p.yaml", """
        pipeline: p
        stages:
          literal:
            kind: command
            env: {GREETING: hello}
            cmd: "echo $${GREETING} > out.txt"
            outs: [out.txt]
        """)
    let report = try await fixture.run("p.yaml")
    #expect(report.tasks(.ran) == ["literal"])
    #expect(try String(contentsOf: fixture.dir.file("runs/p/literal/out.txt"), encoding: .utf8) == "hello\n")
}
