import Foundation
import PipeSpec

/// Wall time and peak RSS of one command, measured around `posix_spawn` and
/// `wait4` (the kernel's peak RSS of the process and the children it waited
/// for), with microsecond resolution where `/usr/bin/time` gives 10 ms.
struct ChildMeasurement {
    var seconds: Double
    var peakRSS: Double

    /// Runs `command` with `sh -c` in `directory`, its output discarded unless
    /// `keepingOutput` (the command redirects it itself); throws when it exits
    /// non-zero. The shell waits for the command, so wait4's peak RSS is the command's.
    static func of(_ command: String, in directory: String, keepingOutput: Bool = false) throws -> ChildMeasurement {
        let script = "cd \(ShellQuoteContext.singleQuoted(directory)) && \(command)" + (keepingOutput ? "" : " > /dev/null 2>&1")
        let start = Date()
        let pid = try spawnShell(script)
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) < 0 {
            guard errno == EINTR else { throw ValidationErrorText("wait4 failed for '\(command)': errno \(errno)") }
        }
        let seconds = Date().timeIntervalSince(start)
        guard status == 0 else { throw ValidationErrorText("'\(command)' failed in \(directory) (wait status \(status))") }
        return ChildMeasurement(seconds: seconds, peakRSS: Double(usage.ru_maxrss) * 1024)
    }

    /// The process-spawn floor of `count` tiny tasks run `jobs` at a time:
    /// seconds to start `sh -c 'echo i > file'` that many times, which no
    /// runner that starts one process per task can beat.
    static func spawnFloor(count: Int, jobs: Int, scratch: String) throws -> Double {
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        let start = Date()
        var running = 0
        for index in 0..<count {
            if running == jobs { try reap(); running -= 1 }
            _ = try spawnShell("echo \(index) > " + ShellQuoteContext.singleQuoted("\(scratch)/\(index).txt"))
            running += 1
        }
        for _ in 0..<running { try reap() }
        return Date().timeIntervalSince(start)
    }

    private static func reap() throws {
        var status: Int32 = 0
        while wait(&status) < 0 {
            guard errno == EINTR else { throw ValidationErrorText("wait failed: errno \(errno)") }
        }
        guard status == 0 else { throw ValidationErrorText("a spawn-floor task failed (wait status \(status))") }
    }

    private static func spawnShell(_ script: String) throws -> pid_t {
        var pid: pid_t = 0
        let words: [String] = ["/bin/sh", "-c", script]
        var argv: [UnsafeMutablePointer<CChar>?] = words.map { strdup($0) }
        argv.append(nil)
        defer { argv.forEach { free($0) } }
        let result = posix_spawn(&pid, "/bin/sh", nil, nil, argv, environ)
        guard result == 0 else { throw ValidationErrorText("cannot start /bin/sh: error \(result)") }
        return pid
    }
}
