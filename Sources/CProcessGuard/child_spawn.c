#define _GNU_SOURCE
#include "process_guard.h"

#include <fcntl.h>
#include <unistd.h>

int pipe_cloexec_pipe(int fds[2]) {
    return pipe2(fds, O_CLOEXEC);
}

int pipe_spawn_addchdir(posix_spawn_file_actions_t *actions, const char *directory) {
    return posix_spawn_file_actions_addchdir_np(actions, directory);
}
