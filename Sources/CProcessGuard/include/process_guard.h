#ifndef PIPE_PROCESS_GUARD_H
#define PIPE_PROCESS_GUARD_H

#include <spawn.h>
#include <sys/types.h>

/// Starts `argv` (with `path`, an absolute path, as the program) under a guard
/// process, so that the command and everything it starts end with pipe.
///
/// The guard is a forked child of the caller. It puts the command in a process
/// group of its own and, on Linux, asks the kernel to send it SIGTERM when the
/// caller dies for any reason (SIGKILL included). On SIGTERM, SIGINT or SIGHUP
/// the guard sends SIGTERM to the command's whole group, waits up to
/// `grace_seconds`, then sends SIGKILL to the group. When the command exits on
/// its own, anything it left running in its group is killed too. The guard
/// exits with the command's exit status, or 128 + the signal that ended it.
///
/// `envp` and `argv` are NULL-terminated. The command's standard output and
/// error go to `output_fd`, its standard input is /dev/null, and it starts in
/// `directory`. Only async-signal-safe calls run between fork and exec.
/// Returns the guard's pid, or -1 with errno set when fork fails.
pid_t pipe_spawn_guarded(const char *path, char *const argv[], char *const envp[],
                         const char *directory, int output_fd, unsigned grace_seconds);

/// Exit status the guard reports when the command could not be executed.
#define PIPE_GUARD_EXEC_FAILED 127

/// pipe2(fds, O_CLOEXEC): a pipe no other child started at the same time can inherit.
/// Returns 0, or -1 with errno set. (ChildProcess, PipeCore.)
int pipe_cloexec_pipe(int fds[2]);

/// posix_spawn_file_actions_addchdir_np: the child starts in `directory`.
int pipe_spawn_addchdir(posix_spawn_file_actions_t *actions, const char *directory);

#endif
