/*
 * Running a victim command with a timeout, pinned, and measured.
 */
#define _GNU_SOURCE
#include "impact/victim_cmd.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "arch/child_process.h"
#include "arch/clock.h"

extern char **environ;

/* Keeps the last cap - 1 bytes written so far in tail. */
static void keep_tail(char *tail, size_t cap, const char *buf, size_t n)
{
    size_t len = strlen(tail);
    if (n >= cap - 1) {
        memcpy(tail, buf + n - (cap - 1), cap - 1);
        tail[cap - 1] = '\0';
        return;
    }
    if (len + n >= cap) {
        size_t drop = len + n - (cap - 1);
        memmove(tail, tail + drop, len - drop);
        len -= drop;
    }
    memcpy(tail + len, buf, n);
    tail[len + n] = '\0';
}

/* Spawns command with stderr to err_fd, inheriting a one-PU affinity from this thread. */
static int spawn(const char *command, int pu, int err_fd, pid_t *pid)
{
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, err_fd, 2);
    posix_spawnattr_t attr;
    arch_child_attr_init(&attr);
    /* The child inherits the spawning thread's affinity: pinned for the spawn only. */
    cpu_set_t before, one;
    int pinned = 0;
    if (pu >= 0 && pthread_getaffinity_np(pthread_self(), sizeof(before), &before) == 0) {
        CPU_ZERO(&one);
        CPU_SET((size_t)pu, &one);
        pinned = pthread_setaffinity_np(pthread_self(), sizeof(one), &one) == 0;
    }
    char *argv[] = {"/bin/sh", "-c", (char *)command, NULL};
    int rc = posix_spawn(pid, "/bin/sh", &fa, &attr, argv, environ);
    if (pinned)
        pthread_setaffinity_np(pthread_self(), sizeof(before), &before);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    return -rc;
}

int impact_victim_run(const char *command, int pu, double timeout_seconds,
                      volatile sig_atomic_t *stop, impact_victim_result_t *out)
{
    memset(out, 0, sizeof(*out));
    int err_pipe[2];
    if (pipe2(err_pipe, O_CLOEXEC) != 0)
        return -errno;
    pid_t pid = 0;
    uint64_t t0 = arch_clock_ns();
    int rc = spawn(command, pu, err_pipe[1], &pid);
    close(err_pipe[1]);
    if (rc != 0) {
        close(err_pipe[0]);
        return rc;
    }
    uint64_t deadline = t0 + (uint64_t)(timeout_seconds * 1e9);
    int status = 0, reaped = 0, err_open = 1;
    struct rusage usage;
    memset(&usage, 0, sizeof(usage));
    while (!reaped) {
        if (stop != NULL && *stop && !out->stopped) {
            out->stopped = 1;
            arch_child_kill(pid);
        }
        if (arch_clock_ns() >= deadline && !out->timed_out && !out->stopped) {
            out->timed_out = 1;
            arch_child_kill(pid);
        }
        /* stderr until it closes; then the exit, checked every 10 ms. */
        struct pollfd pfd = {err_pipe[0], POLLIN, 0};
        if (err_open && poll(&pfd, 1, 10) > 0) {
            char buf[512];
            ssize_t got = read(err_pipe[0], buf, sizeof(buf));
            if (got > 0)
                keep_tail(out->stderr_tail, sizeof(out->stderr_tail), buf, (size_t)got);
            else if (got == 0 || errno != EINTR)
                err_open = 0;
        } else if (!err_open) {
            struct timespec nap = {0, 10000000};
            nanosleep(&nap, NULL);
        }
        pid_t w = wait4(pid, &status, WNOHANG, &usage);
        reaped = w == pid || (w < 0 && errno != EINTR);
    }
    /* What it wrote just before it ended may still wait in the pipe. */
    for (int more = err_open; more;) {
        struct pollfd pfd = {err_pipe[0], POLLIN, 0};
        char buf[512];
        ssize_t got = poll(&pfd, 1, 0) > 0 ? read(err_pipe[0], buf, sizeof(buf)) : 0;
        if (got > 0)
            keep_tail(out->stderr_tail, sizeof(out->stderr_tail), buf, (size_t)got);
        more = got > 0;
    }
    out->wall_seconds = (double)(arch_clock_ns() - t0) / 1e9;
    close(err_pipe[0]);
    /* Anything it left behind in its group goes with it (the group: its own pid is reaped). */
    kill(-pid, SIGKILL);
    out->cpu_seconds = (double)usage.ru_utime.tv_sec + (double)usage.ru_utime.tv_usec / 1e6 +
                       (double)usage.ru_stime.tv_sec + (double)usage.ru_stime.tv_usec / 1e6;
    out->exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return 0;
}
