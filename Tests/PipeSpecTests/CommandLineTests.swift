import Foundation
import TestSupport
import Testing

/// `pipe check`, `show` and `schema` as a user runs them (the built binary).
@Suite final class CommandLineTests {
    let project: SpecProject

    deinit { project.directory.remove() }

    init() throws {
        project = try SpecProject([
            "pipelines/v1.yaml": """
                params: {size: 256}
                stages:
                  prep: {kind: command, cmd: "prep --size ${params.size}", outs: [out]}
                  fit: {kind: command, deps: [prep], cmd: fit, outs: [model.bin]}
                """,
            "pipelines/bad.yaml": """
                stages:
                  prep: {kind: comand, cmd: x, outs: [o]}
                  fit: {kind: command, deps: [prpe], cmd: x, outs: [o], env: {A: 1}}
                """,
        ])
    }

    private func pipe(_ arguments: String...) throws -> ProcessResult {
        try runProcess(PipeBinary.path, arguments, cwd: project.directory.path)
    }

    @Test func checkReportsCounts() throws {
        let result = try pipe("check", "pipelines/v1.yaml")
        #expect(result.status == 0)
        #expect(result.stdout == "ok: pipelines/v1.yaml (2 stages, 0 data sources)\n")
    }

    @Test func checkPrintsEveryProblemAndExits2() throws {
        let result = try pipe("check", "pipelines/bad.yaml", "--set", "fit.outs=5")
        #expect(result.status == 2)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr == """
            pipelines/bad.yaml:2:16: error: unknown stage kind 'comand'; did you mean 'command'?
            pipelines/bad.yaml:3:31: error: dependency 'prpe' is neither a stage, a data source nor an existing path; did you mean 'prep'?
            pipelines/bad.yaml:3:66: error: 'fit.env.A': expected a string, got 1
            --set fit.outs=5: error: 'fit.outs': expected a list of strings, got 5

            """)
    }

    @Test func showPrintsTheResolvedStage() throws {
        let result = try pipe("show", "pipelines/v1.yaml", "--stage", "prep", "--set", "params.size=512")
        #expect(result.status == 0)
        #expect(result.stdout == """
            kind: command
            cmd: prep --size 512
            deps: []
            env: {}
            outs: [out]
            params: {}

            """)
        let json = try pipe("show", "pipelines/v1.yaml", "--json")
        #expect(json.stdout.contains("\"pipeline\": \"v1\""))
        let missing = try pipe("show", "pipelines/v1.yaml", "--stage", "fitt")
        #expect(missing.status == 2)
        #expect(missing.stderr == "error: no stage 'fitt' in pipelines/v1.yaml; did you mean 'fit'?\n")
    }

    @Test func schemaIsJSON() throws {
        let result = try pipe("schema")
        #expect(result.status == 0)
        #expect(result.stdout.hasPrefix("{\n  \"$defs\": {"))
    }
}
