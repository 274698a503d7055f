import Foundation
import PipeCore
import Testing

@Suite struct ChildProcessTests {
    @Test func capturesBothStreamsAndTheExitCode() throws {
        let output = try ChildProcess.run("/bin/sh", ["-c", "printf out; printf err >&2; exit 3"])
        #expect(String(decoding: output.stdout, as: UTF8.self) == "out")
        #expect(String(decoding: output.stderr, as: UTF8.self) == "err")
        #expect(output.status == 3)
    }

    @Test func aChildEndedByASignalReports128PlusTheSignal() throws {
        #expect(try ChildProcess.run("/bin/sh", ["-c", "kill -9 $$"]).status == 128 + 9)
    }

    /// Megabytes on both streams and on input at once: no pipe fills up and stalls the child.
    @Test func largeInputAndOutputDoNotDeadlock() throws {
        let input = Data(repeating: UInt8(ascii: "x"), count: 3 << 20)
        let output = try ChildProcess.run("/bin/sh", ["-c", "tee /dev/stderr"], input: input)
        #expect(output.stdout == input && output.stderr == input && output.status == 0)
    }

    @Test func runsInTheDirectoryWithTheEnvironmentGiven() throws {
        let output = try ChildProcess.run("sh", ["-c", "pwd; echo \"$GREETING\""], directory: "/tmp",
                                          environment: ["GREETING": "hello", "PATH": "/usr/bin:/bin"])
        #expect(String(decoding: output.stdout, as: UTF8.self) == "/tmp\nhello\n")
    }

    @Test func aProgramMissingFromThePathIsALaunchError() {
        #expect(throws: ChildProcess.LaunchError.self) {
            try ChildProcess.run("no-such-program-here", [], environment: ["PATH": "/nonexistent"])
        }
    }

    @Test func aStartedChildCanBeWatchedAndKilled() throws {
        let child = try ChildProcess.start("/bin/sleep", ["30"])
        #expect(child.isRunning)
        kill(child.processIdentifier, SIGTERM)
        #expect(child.waitUntilExit() == 128 + SIGTERM)
        #expect(!child.isRunning && child.terminationStatus == 128 + SIGTERM)
    }
}
