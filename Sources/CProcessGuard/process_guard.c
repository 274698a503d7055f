#define _GNU_SOURCE
#include "process_guard.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <stddef.h>
#include <sys/syscall.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

/* fork() without glibc's fork handlers: OpenBLAS registers one that shuts its
   worker threads down, and in a process that forks from many threads while
   another one multiplies matrices it deadlocked (a worker missed the wake-up,
   the handler waited on it forever, and every other fork on its lock). Neither
   child needs the handlers: both make only async-signal-safe calls. */
static pid_t fork_without_handlers(void) {
    return (pid_t)syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0);
}

static void write_text(int fd, const char *text) {
    size_t length = strlen(text);
    while (length > 0) {
        ssize_t written = write(fd, text, length);
        if (written <= 0) return;
        text += written;
        length -= (size_t)written;
    }
}

/// The command: its own process group, default signals, redirected IO, exec.
static void exec_command(const char *path, char *const argv[], char *const envp[],
                         const char *directory, int output_fd) {
    setpgid(0, 0);
    for (int signo = 1; signo < NSIG; signo++) {
        if (signo != SIGKILL && signo != SIGSTOP) signal(signo, SIG_DFL);
    }
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    int null_fd = open("/dev/null", O_RDONLY);
    if (null_fd >= 0 && null_fd != 0) { dup2(null_fd, 0); close(null_fd); }
    if (output_fd != 1) dup2(output_fd, 1);
    if (output_fd != 2) dup2(output_fd, 2);
    if (output_fd > 2) close(output_fd);
    if (chdir(directory) != 0) {
        write_text(2, "pipe: cannot enter the task's work directory\n");
        _exit(PIPE_GUARD_EXEC_FAILED);
    }
    execve(path, argv, envp);
    write_text(2, "pipe: cannot execute '");
    write_text(2, path);
    write_text(2, errno == ENOENT ? "': no such file\n" : errno == EACCES ? "': permission denied\n" : "': exec failed\n");
    _exit(PIPE_GUARD_EXEC_FAILED);
}

/// Closes every descriptor inherited from pipe (its database, its lock files)
/// except the log, which moves to descriptor 3. Returns the log's descriptor.
static int keep_only_output(int output_fd) {
    if (output_fd != 3) {
        if (dup2(output_fd, 3) < 0) return output_fd;
        output_fd = 3;
    }
#if defined(__linux__) && defined(SYS_close_range)
    if (syscall(SYS_close_range, 4U, ~0U, 0U) == 0) return output_fd;
#endif
    long limit = sysconf(_SC_OPEN_MAX);
    for (long fd = 4; fd < (limit > 0 && limit < 65536 ? limit : 65536); fd++) close((int)fd);
    return output_fd;
}

static int status_code(int status) {
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return 1;
}

/// The guard: waits for the command; on a stop request (or pipe's death),
/// TERM to the command's group, then KILL after the grace period. Signals
/// are blocked and taken with sigwaitinfo, so none is lost between checks.
static void guard(pid_t parent, const char *path, char *const argv[], char *const envp[],
                  const char *directory, int output_fd, unsigned grace_seconds) {
    int watched[] = {SIGTERM, SIGINT, SIGHUP, SIGCHLD, SIGALRM};
    sigset_t set;
    sigemptyset(&set);
    for (size_t i = 0; i < sizeof watched / sizeof watched[0]; i++) {
        signal(watched[i], SIG_DFL);
        sigaddset(&set, watched[i]);
    }
    sigprocmask(SIG_SETMASK, &set, NULL);
#ifdef __linux__
    prctl(PR_SET_PDEATHSIG, SIGTERM);
#endif
    if (getppid() != parent) _exit(128 + SIGTERM);  /* pipe died before the death signal was armed */
    output_fd = keep_only_output(output_fd);

    pid_t command = fork_without_handlers();
    if (command < 0) {
        write_text(output_fd, "pipe: cannot start the command (fork failed)\n");
        _exit(PIPE_GUARD_EXEC_FAILED);
    }
    if (command == 0) exec_command(path, argv, envp, directory, output_fd);
    setpgid(command, command);  /* the child does it too: whichever runs first wins the race */

    int status = 0;
    int terminating = 0;
    for (;;) {
        pid_t done = waitpid(command, &status, WNOHANG);
        if (done == command) break;
        if (done < 0 && errno != EINTR) _exit(1);
        int signo = sigwaitinfo(&set, NULL);
        if ((signo == SIGTERM || signo == SIGINT || signo == SIGHUP) && !terminating) {
            terminating = 1;
            kill(-command, SIGTERM);
            alarm(grace_seconds > 0 ? grace_seconds : 1);
        } else if (signo == SIGALRM) {
            kill(-command, SIGKILL);
        }
    }
    kill(-command, SIGKILL);  /* whatever the command left running in its group */
    _exit(status_code(status));
}

pid_t pipe_spawn_guarded(const char *path, char *const argv[], char *const envp[],
                         const char *directory, int output_fd, unsigned grace_seconds) {
    pid_t parent = getpid();
    pid_t child = fork_without_handlers();
    if (child != 0) return child;
    guard(parent, path, argv, envp, directory, output_fd, grace_seconds);
    _exit(1);
}
