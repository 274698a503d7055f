import Foundation
import PipeCore
@testable import PipeSpec
import Testing

/// Values a hostile or careless user might put in a param, an item or a `--set`.
let hostilePayloads = [
    "x; touch owned", "$(touch owned)", "`touch owned`", "x | touch owned", "x\ntouch owned", "it's",
    "say \"hi\"; touch owned", "'; touch owned; '", "\"; touch owned; \"", "a\\", "${HOME}", "$${HOME}", "$",
    "PATH=/nowhere", "-n", "", " ", "*", "~", "#x", "EOF", "\\\"'`$", "x\r\ny",
]

/// Runs `sh -c script` in `directory`; returns stdout.
func runShell(_ script: String, in directory: URL) throws -> String {
    String(decoding: try ChildProcess.run("/bin/sh", ["-c", script], directory: directory.path).stdout, as: UTF8.self)
}

/// `template` with `@` replaced by `value`, quoted for where the scanner says it lands.
func substituted(_ template: String, _ value: String) throws -> String {
    let parts = template.split(separator: "@", maxSplits: 1, omittingEmptySubsequences: false)
    var scanner = ShellQuoteScanner()
    scanner.feed(parts[0])
    let quoted = try #require(scanner.context.quote(value), "no quoting for \(template)")
    return parts[0] + quoted + parts[1]
}

@Suite struct ShellQuotingTests {
    /// Every payload, in every context a spec can put a reference in, prints
    /// exactly its bytes and runs nothing.
    @Test(arguments: [
        "printf '%s' @", "printf '%s' '@'", "printf '%s' \"@\"", "printf '%s' pre@post", "printf '%s' 'pre@post'",
        "printf '%s' \"pre@post\"", "printf '%s' \"$(printf '%s' @)\"", "printf '%s' \"$(printf '%s' '@')\"",
        "x=@; printf '%s' \"$x\"", "f() { printf '%s' @; }; f",
    ])
    func payloadsPrintTheirBytesAndRunNothing(template: String) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pipe-shell-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        for payload in hostilePayloads {
            let output = try runShell(try substituted(template, payload), in: directory)
            let expected = template.contains("pre@post") ? "pre\(payload)post" : payload
            #expect(output == expected, "template \(template), payload \(payload.debugDescription)")
            #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("owned").path),
                    "template \(template) ran payload \(payload.debugDescription)")
        }
    }

    @Test func commentsSwallowLineBreaksOfValues() throws {
        let script = try substituted("true # note @\nprintf ok", "x\ntouch owned\n")
        #expect(script == "true # note x touch owned \nprintf ok")
    }

    @Test func unsafePlacesAreRefused() {
        for template in ["cat <<EOF\n@\nEOF", "echo `echo @`", "echo \\@", "echo \"`@`\"", "echo ${x:-@}", "echo \"${x:-@}\"",
                         "echo \"$(case $x in a) echo @;; esac)\"",
                         // where these end differs between dash and bash, so what follows is refused too
                         "echo ${x:-\"a}b\"} @", "echo \"${a:-${b} @}\"", "echo ${a:-`b`} @", "echo $'a @'",
                         "echo $'a\\'b' @"] {
            var scanner = ShellQuoteScanner()
            scanner.feed(template.split(separator: "@", maxSplits: 1)[0])
            #expect(scanner.context.quote("x") == nil, "\(template.debugDescription) should be refused")
        }
        var scanner = ShellQuoteScanner()
        scanner.feed("cat <<EOF\nbody\nEOF\necho ")
        #expect(scanner.context == .unquoted)
        for template in ["echo ${x:-a} @", "echo $'a\\\\b' @", "echo $'a' @"] {
            var scanner = ShellQuoteScanner()
            scanner.feed(template.split(separator: "@", maxSplits: 1)[0])
            #expect(scanner.context == .unquoted, "\(template.debugDescription) is plain code again")
        }
        #expect(ShellQuoteContext.unquoted.quote("a\0b") == nil)
    }

    @Test func aHashRightAfterAValueIsNoComment() throws {
        // `'a'#x` is one word; a scanner that forgot the value would take `#x...` for a comment
        // and leave the next value unquoted.
        var scanner = ShellQuoteScanner()
        scanner.feed("printf '%s' ")
        let first = try #require(scanner.context.quote("a b"))
        scanner.feed(first)
        scanner.feed("#")
        #expect(scanner.context == .unquoted)
        let second = try #require(scanner.context.quote("x; touch owned"))
        let directory = FileManager.default.temporaryDirectory
        #expect(try runShell("printf '%s' " + first + "#" + second, in: directory) == "a b#x; touch owned")
    }

    @Test func assignmentLikeValuesAreQuoted() {
        #expect(ShellQuoteContext.singleQuoted("PATH=/x") == "'PATH=/x'")
        #expect(ShellQuoteContext.singleQuoted("train-1.5_a/b") == "train-1.5_a/b")
        #expect(ShellQuoteContext.singleQuoted("") == "''")
    }
}

/// `${params...}` in a command's string `cmd` is quoted when the spec loads;
/// an argv list and other kinds' fields take the value unchanged.
@Suite struct CommandInterpolationTests {
    private func cmd(_ command: String, params: String = "{msg: \"x; touch owned\"}", overrides: [String] = []) throws -> JSONValue? {
        let spec = try loadSpec("params: \(params)\nstages:\n  a: {kind: command, cmd: \(command), outs: []}\n",
                                overrides: overrides)
        return spec.stage("a")?.config["cmd"]
    }

    @Test func paramsAreQuotedForWhereTheyLand() throws {
        #expect(try cmd("\"echo ${params.msg}\"") == .string("echo 'x; touch owned'"))
        #expect(try cmd("\"echo '${params.msg}'\"") == .string("echo 'x; touch owned'"))
        #expect(try cmd("\"echo \\\"${params.msg}\\\"\"") == .string("echo \"\"'x; touch owned'\"\""))
        #expect(try cmd("\"${params.msg}\"") == .string("'x; touch owned'"))
        #expect(try cmd("\"echo ${params.msg}\"", overrides: ["params.msg=$(id)"]) == .string("echo '$(id)'"))
        #expect(try cmd("\"echo ${params.n} ${params.msg}\"", params: "{n: 3, msg: \"it's\"}") == .string("echo 3 'it'\\''s'"))
    }

    @Test func runTimeReferencesInsideAValueStayLiteral() throws {
        #expect(try cmd("\"echo ${params.msg} ${item}\"", params: "{msg: \"${item}\"}") == .string("echo '$${item}' ${item}"))
        #expect(try cmd("\"echo '${params.msg}{}'\"", params: "{msg: \"a$\"}") == .string("echo 'a$''{}'"))
    }

    @Test func argvListsAndOtherFieldsAreUnchanged() throws {
        #expect(try cmd("[echo, \"${params.msg}\"]") == .array([.string("echo"), .string("x; touch owned")]))
        #expect(try cmd("\"${params.argv}\"", params: "{argv: [printf, \"a b\"]}") == .array([.string("printf"), .string("a b")]))
        let spec = try loadSpec("params: {size: 512}\ndata: {d: {synthetic: {images: 1}}}\nstages:\n  t: {kind: tile, from: data.d, size: \"${params.size}\"}\n")
        #expect(spec.stage("t")?.config["size"] == .int(512))
    }

    @Test func placesNoQuotingMakesSafeAreLocatedErrors() throws {
        let errors = try specErrors("""
            params: {msg: hi}
            stages:
              a: {kind: command, cmd: "cat <<EOF\\n${params.msg}\\nEOF", outs: []}
              b: {kind: command, cmd: "echo `echo ${params.msg}`", outs: []}
              c: {kind: command, cmd: "echo ${params.nul}", outs: []}
            """, overrides: ["params.nul=\"a\\0b\""])
        #expect(errors == [
            "spec.yaml:3:27: '${params.msg}' cannot be shell-quoted inside a here-document; pass the value as an argument or variable instead",
            "spec.yaml:4:27: '${params.msg}' cannot be shell-quoted inside backquotes; use $(...) instead",
            "spec.yaml:5:27: '${params.nul}' holds a NUL byte, which a shell command cannot carry; remove it from the value",
        ])
    }
}
