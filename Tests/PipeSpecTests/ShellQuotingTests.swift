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
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/sh")
    process.arguments = ["-c", script]
    process.currentDirectoryURL = directory
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = FileHandle.nullDevice
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return String(decoding: data, as: UTF8.self)
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
        for template in ["cat <<EOF\n@\nEOF", "echo `echo @`", "echo \\@", "echo \"`@`\""] {
            var scanner = ShellQuoteScanner()
            scanner.feed(template.split(separator: "@", maxSplits: 1)[0])
            #expect(scanner.context.quote("x") == nil, "\(template.debugDescription) should be refused")
        }
        var scanner = ShellQuoteScanner()
        scanner.feed("cat <<EOF\nbody\nEOF\necho ")
        #expect(scanner.context == .unquoted)
        #expect(ShellQuoteContext.unquoted.quote("a\0b") == nil)
    }

    @Test func assignmentLikeValuesAreQuoted() {
        #expect(ShellQuoteContext.singleQuoted("PATH=/x") == "'PATH=/x'")
        #expect(ShellQuoteContext.singleQuoted("train-1.5_a/b") == "train-1.5_a/b")
        #expect(ShellQuoteContext.singleQuoted("") == "''")
    }
}
