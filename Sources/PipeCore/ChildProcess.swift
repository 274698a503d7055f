import CProcessGuard
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A child program started with `posix_spawn` and reaped with `waitpid` by the
/// caller itself.
///
/// Foundation's `Process` learns of a child's exit from a SIGCHLD source on a
/// dispatch queue; here that notice has been lost (a child exited, stayed a
/// zombie, and `waitUntilExit` never returned), so pipe's own code and its tests
/// start helper programs (git, python, pipe itself) through this instead.
/// Every pipe is close-on-exec, so a child started at the same time on another
/// thread cannot hold this child's output open.
public final class ChildProcess: @unchecked Sendable {
    /// What a child that ran to completion left behind.
    public struct Output: Sendable {
        /// The exit code, or 128 + the signal that ended the child.
        public var status: Int32
        public var stdout: Data
        public var stderr: Data
    }

    /// A program that could not be started.
    public struct LaunchError: Error, CustomStringConvertible {
        public var program: String
        public var code: Int32
        public var description: String { "cannot run \(program): \(String(cString: strerror(code)))" }
    }

    /// The child's process id.
    public let processIdentifier: pid_t
    private let lock = NSLock()
    private var exitStatus: Int32?

    private init(pid: pid_t) { processIdentifier = pid }

    /// Runs `program` (an absolute path, or a name looked up on PATH) to completion,
    /// feeding it `input` and capturing both output streams.
    public static func run(_ program: String, _ arguments: [String], directory: String? = nil,
                           environment: [String: String]? = nil, input: Data? = nil) throws -> Output {
        let stdin = try makePipe(), stdout = try makePipe(), stderr = try makePipe()
        let child: ChildProcess
        do {
            child = try spawn(program, arguments, directory: directory, environment: environment,
                              stdin: stdin.read, stdout: stdout.write, stderr: stderr.write)
        } catch {
            for fd in [stdin.read, stdin.write, stdout.read, stdout.write, stderr.read, stderr.write] { close(fd) }
            throw error
        }
        close(stdin.read); close(stdout.write); close(stderr.write)
        // The input is written on a thread of its own, so a child that answers before it has
        // read all of it cannot dead-lock against a full output pipe.
        if let input {
            Thread { writeAll(stdin.write, input); close(stdin.write) }.start()
        } else {
            close(stdin.write)
        }
        let (out, err) = readBoth(stdout.read, stderr.read)
        return Output(status: child.waitUntilExit(), stdout: out, stderr: err)
    }

    /// Starts `program` without waiting for it; its input and output are /dev/null.
    public static func start(_ program: String, _ arguments: [String], directory: String? = nil,
                             environment: [String: String]? = nil) throws -> ChildProcess {
        let null = open("/dev/null", O_RDWR | O_CLOEXEC)
        defer { close(null) }
        return try spawn(program, arguments, directory: directory, environment: environment,
                         stdin: null, stdout: null, stderr: null)
    }

    /// Whether the child has not exited yet (reaps it when it has).
    public var isRunning: Bool {
        lock.lock(); defer { lock.unlock() }
        if exitStatus != nil { return false }
        var status: Int32 = 0
        let result = waitpid(processIdentifier, &status, WNOHANG)
        if result == processIdentifier { exitStatus = Self.decode(status); return false }
        return result == 0
    }

    /// Blocks until the child exits and returns its status (exit code, or 128 + signal).
    @discardableResult
    public func waitUntilExit() -> Int32 {
        lock.lock(); defer { lock.unlock() }
        if let exitStatus { return exitStatus }
        var status: Int32 = 0
        while waitpid(processIdentifier, &status, 0) < 0 && errno == EINTR {}
        let decoded = Self.decode(status)
        exitStatus = decoded
        return decoded
    }

    /// The status `waitUntilExit` returned; waits if the child has not exited yet.
    public var terminationStatus: Int32 { waitUntilExit() }

    // MARK: - Spawning

    private static func spawn(_ program: String, _ arguments: [String], directory: String?,
                              environment: [String: String]?, stdin: Int32, stdout: Int32, stderr: Int32) throws -> ChildProcess {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, stdin, 0)
        posix_spawn_file_actions_adddup2(&actions, stdout, 1)
        posix_spawn_file_actions_adddup2(&actions, stderr, 2)
        if let directory { pipe_spawn_addchdir(&actions, directory) }

        // The child starts with default signal handling and nothing blocked, whatever the
        // caller (the Swift runtime ignores SIGPIPE) has set.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var all = sigset_t(), none = sigset_t()
        sigfillset(&all); sigemptyset(&none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        let argv = ([program] + arguments).map { strdup($0) } + [nil]
        let envPairs = (environment ?? ProcessInfo.processInfo.environment).map { "\($0.key)=\($0.value)" }
        let envp = envPairs.map { strdup($0) } + [nil]
        defer { (argv + envp).forEach { free($0) } }

        let path = program.contains("/") ? program : try lookUp(program, environment: environment)
        var pid: pid_t = 0
        let code = posix_spawn(&pid, path, &actions, &attributes, argv, envp)
        guard code == 0 else { throw LaunchError(program: program, code: code) }
        return ChildProcess(pid: pid)
    }

    /// `name` on the PATH the child will have (as `env` would find it), not the caller's.
    private static func lookUp(_ name: String, environment: [String: String]?) throws -> String {
        let searchPath = (environment ?? ProcessInfo.processInfo.environment)["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in searchPath.split(separator: ":") {
            let candidate = "\(directory)/\(name)"
            if access(candidate, X_OK) == 0 { return candidate }
        }
        throw LaunchError(program: name, code: ENOENT)
    }

    private static func makePipe() throws -> (read: Int32, write: Int32) {
        var fds: [Int32] = [0, 0]
        guard pipe_cloexec_pipe(&fds) == 0 else { throw LaunchError(program: "pipe", code: errno) }
        return (fds[0], fds[1])
    }

    /// A `waitpid` status as a shell reports it: the exit code, or 128 + the signal.
    public static func decode(_ status: Int32) -> Int32 {
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal
    }

    // MARK: - Output

    private static func writeAll(_ fd: Int32, _ data: Data) {
        data.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 { if errno == EINTR { continue } else { return } }
                offset += written
            }
        }
    }

    /// Reads two descriptors to their end at once (poll), then closes them.
    private static func readBoth(_ first: Int32, _ second: Int32) -> (Data, Data) {
        var outputs = [Data(), Data()]
        var fds = [pollfd(fd: first, events: Int16(POLLIN), revents: 0),
                   pollfd(fd: second, events: Int16(POLLIN), revents: 0)]
        var buffer = [UInt8](repeating: 0, count: 65536)
        while fds.contains(where: { $0.fd >= 0 }) {
            if poll(&fds, nfds_t(fds.count), -1) < 0 {
                if errno == EINTR { continue } else { break }
            }
            for index in fds.indices where fds[index].fd >= 0 && fds[index].revents != 0 {
                let count = read(fds[index].fd, &buffer, buffer.count)
                if count > 0 {
                    outputs[index].append(contentsOf: buffer[0..<count])
                } else if count == 0 || errno != EINTR {
                    close(fds[index].fd)
                    fds[index].fd = -1
                }
            }
        }
        return (outputs[0], outputs[1])
    }
}
