import Foundation
import PipeCore
@testable import PipeSpec
import Testing

/// What becomes a path (stage and pipeline names, outs, path deps, foreach
/// items) is refused at load time when it could leave its directory.
@Suite struct SpecEscapeTests {
    @Test func outsMustStayInTheWorkDirectory() throws {
        let errors = try specErrors("""
            stages:
              a:
                kind: command
                cmd: "true"
                outs: ["../x", "/abs/path", "", "a//b", "b/./c", ".pipe/objects", "d/..", "ok/file", "ok", "n\\0ul"]
            """)
        let prefix = "'a.outs': output "
        let suffix = "; outputs are paths inside the task's work directory"
        #expect(errors == [
            "spec.yaml:5:12: \(prefix)'../x' leaves its directory ('..')\(suffix)",
            "spec.yaml:5:20: \(prefix)'/abs/path' is an absolute path\(suffix)",
            "spec.yaml:5:33: \(prefix)'' is empty\(suffix)",
            "spec.yaml:5:37: \(prefix)'a//b' is not normalized; write 'a/b'\(suffix)",
            "spec.yaml:5:45: \(prefix)'b/./c' is not normalized; write 'b/c'\(suffix)",
            "spec.yaml:5:54: \(prefix)'.pipe/objects' is inside '.pipe/', pipe's own store\(suffix)",
            "spec.yaml:5:71: \(prefix)'d/..' leaves its directory ('..')\(suffix)",
            "spec.yaml:5:90: 'a.outs': output 'ok' overlaps 'ok/file'; list each file or directory once",
            "spec.yaml:5:96: \(prefix)'n\0ul' contains a NUL byte\(suffix)",
        ])
    }

    @Test func pathDepsMustStayInTheSpecDirectory() throws {
        let errors = try specErrors("""
            stages:
              a:
                kind: command
                deps: [../secret, /etc/passwd, "", "./", scripts//x.sh, .pipe/pipe.db]
                cmd: "true"
                outs: []
            """, files: ["scripts/x.sh": "true"])
        #expect(errors == [
            "spec.yaml:4:12: dependency '../secret' leaves its directory ('..'); "
                + "declare it as a data source (data: {NAME: '../secret'}) and depend on data.NAME",
            "spec.yaml:4:23: dependency '/etc/passwd' is an absolute path; "
                + "declare it as a data source (data: {NAME: '/etc/passwd'}) and depend on data.NAME",
            "spec.yaml:4:36: dependency '' is empty; name a file or directory inside the spec's directory",
            "spec.yaml:4:40: dependency './' names no file; name a file or directory inside the spec's directory",
            "spec.yaml:4:46: dependency 'scripts//x.sh' is not normalized; write 'scripts/x.sh'; "
                + "name a file or directory inside the spec's directory",
            "spec.yaml:4:61: dependency '.pipe/pipe.db' is inside '.pipe/', pipe's own store; "
                + "name a file or directory inside the spec's directory",
        ])
        #expect(try specErrors("stages:\n  a: {kind: command, deps: [./scripts/x.sh], cmd: 'true', outs: []}\n",
                               files: ["scripts/x.sh": "true"]).isEmpty)
    }

    @Test func foreachItemsMustNameDistinctTasksAndFolders() throws {
        let errors = try specErrors("""
            stages:
              a:
                kind: command
                cmd: "echo ${item}"
                outs: []
                foreach: [1, "1", "..", ../../.., /tmp, "", .pipe, x, x/y, 2.0, 2]
            """)
        #expect(errors.count == 7, "\(errors)")
        #expect(errors[0] == "spec.yaml:6:18: 'a.foreach': item \"1\" gives the same task name 'a[1]' as item 0 (1); make the items distinct")
        #expect(errors[1] == "spec.yaml:6:23: 'a.foreach': item '..' leaves its directory ('..'); an item names task "
                + "'a[..]' and a folder of its output: use a plain name")
        #expect(errors[2].contains("item '../../..' leaves its directory"))
        #expect(errors[3].contains("item '/tmp' is an absolute path"))
        #expect(errors[4].contains("item '' is empty"))
        #expect(errors[5].contains("item '.pipe' is inside '.pipe/'"))
        #expect(errors[6].contains("item \"x/y\" would share a folder with item 7 (\"x\")"))
    }

    @Test func everyProblemOfAListIsReportedAtOnce() throws {
        let errors = try specErrors("""
            stages:
              c: {kind: command, cmd: "true", outs: [a.json, ../x, a.json], metrics: m.json, foreach: [1, "1", .., 1]}
            """)
        #expect(errors == [
            "spec.yaml:2:50: 'c.outs': output '../x' leaves its directory ('..'); outputs are paths inside the task's work directory",
            "spec.yaml:2:56: 'c.outs': item \"a.json\" repeats item 0 (line 2); remove one",
            "spec.yaml:2:74: 'c.metrics': 'm.json' is not one of outs; did you mean 'a.json'?",
            "spec.yaml:2:95: 'c.foreach': item \"1\" gives the same task name 'c[1]' as item 0 (1); make the items distinct",
            "spec.yaml:2:100: 'c.foreach': item '..' leaves its directory ('..'); an item names task 'c[..]' and a folder "
                + "of its output: use a plain name",
            "spec.yaml:2:104: 'c.foreach': item 1 repeats item 0 (line 2); remove one",
        ])
    }

    @Test func namesThatBecomePathsAreChecked() throws {
        #expect(try specErrors("pipeline: ..\nstages: {}\n").first?.contains("invalid pipeline name '..'") == true)
        #expect(try specErrors("pipeline: a/b\nstages: {}\n").first?.contains("invalid pipeline name 'a/b'") == true)
        #expect(try specErrors("stages: {}\n", overrides: ["pipeline=../x"]).first?.contains("invalid pipeline name '../x'") == true)
        let stage = try specErrors("stages:\n  \"../x\": {kind: command, cmd: 'true', outs: []}\n")
        #expect(stage.first?.contains("invalid stage name '../x'") == true)
    }
}
