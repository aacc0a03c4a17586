#define _GNU_SOURCE
#include "config.h"
#include "arch/child_process.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "arch/clock.h"

#define SLICE_MS 50 /* how long a wait lasts before the stop and the deadline are checked */

extern char **environ;

void arch_child_attr_init(posix_spawnattr_t *attr)
{
    posix_spawnattr_init(attr);
    sigset_t none, defaults;
    sigemptyset(&none);
    sigemptyset(&defaults);
    sigaddset(&defaults, SIGPIPE);
    sigaddset(&defaults, SIGINT);
    sigaddset(&defaults, SIGTERM);
    posix_spawnattr_setsigmask(attr, &none);
    posix_spawnattr_setsigdefault(attr, &defaults);
    posix_spawnattr_setpgroup(attr, 0);
    posix_spawnattr_setflags(attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
                                       POSIX_SPAWN_SETSIGDEF);
}

void arch_child_kill(pid_t pid)
{
    kill(-pid, SIGKILL);
    kill(pid, SIGKILL);
}

/*
 * Looked up here rather than by posix_spawnp, because under an emulator a
 * failed exec only shows as the child's exit status 127, not as "not found".
 */
int arch_child_find(const char *name, char *path, size_t cap)
{
    const char *dirs = getenv("PATH");
    if (dirs == NULL)
        dirs = "/usr/local/bin:/usr/bin:/bin";
    while (*dirs != '\0') {
        size_t len = strcspn(dirs, ":");
        int n = snprintf(path, cap, "%.*s/%s", (int)len, len > 0 ? dirs : ".", name);
        if (n > 0 && (size_t)n < cap && access(path, X_OK) == 0)
            return 0;
        dirs += len + (dirs[len] == ':');
    }
    return -ENOENT;
}

/* One output being read: into buf from its start, or keeping its last bytes. */
typedef struct {
    int fd; /* -1: closed or not captured */
    char *buf;
    size_t cap, len;
    int tail;
} capture_t;

static void keep(capture_t *c, const char *data, size_t n)
{
    if (c->cap == 0)
        return;
    size_t room = c->cap - 1;
    if (!c->tail) {
        size_t take = n < room - c->len ? n : room - c->len;
        memcpy(c->buf + c->len, data, take);
        c->len += take;
    } else if (n >= room) {
        memcpy(c->buf, data + n - room, room);
        c->len = room;
    } else {
        if (c->len + n > room) {
            size_t drop = c->len + n - room;
            memmove(c->buf, c->buf + drop, c->len - drop);
            c->len -= drop;
        }
        memcpy(c->buf + c->len, data, n);
        c->len += n;
    }
    c->buf[c->len] = '\0';
}

/* Reads what is there (all of it, so the child never blocks on a full pipe); closes at EOF. */
static void drain(capture_t *c)
{
    char chunk[512];
    ssize_t got = read(c->fd, chunk, sizeof(chunk));
    if (got > 0) {
        keep(c, chunk, (size_t)got);
    } else if (got == 0 || (errno != EINTR && errno != EAGAIN)) {
        close(c->fd);
        c->fd = -1;
    }
}

/* Waits up to ms for output on the open captures, and takes it. */
static void take_output(capture_t *cap, int ms)
{
    struct pollfd pfd[2];
    int n = 0;
    for (int i = 0; i < 2; i++)
        if (cap[i].fd >= 0)
            pfd[n++] = (struct pollfd){cap[i].fd, POLLIN, 0};
    if (n == 0) {
        /* Its output closed: it is ending, so look again soon (a meter's reading is timed). */
        nanosleep(&(struct timespec){0, 5000000L}, NULL);
        return;
    }
    if (poll(pfd, (nfds_t)n, ms) <= 0)
        return;
    for (int i = 0, k = 0; i < 2; i++) {
        if (cap[i].fd < 0)
            continue;
        if (pfd[k++].revents != 0)
            drain(&cap[i]);
    }
}

/* The pipes (or /dev/null) as the child's 0, 1 and 2; the spawn, pinned to pu if asked. */
static int spawn(const arch_child_spec_t *spec, const int write_ends[2], pid_t *pid)
{
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    for (int i = 0; i < 2; i++) {
        if (write_ends[i] >= 0)
            posix_spawn_file_actions_adddup2(&fa, write_ends[i], i + 1);
        else
            posix_spawn_file_actions_addopen(&fa, i + 1, "/dev/null", O_WRONLY, 0);
    }
    posix_spawnattr_t attr;
    arch_child_attr_init(&attr);
    /* The child inherits the spawning thread's affinity: pinned for the spawn only. */
    cpu_set_t before, one;
    int pinned = 0;
    if (spec->pu >= 0 && pthread_getaffinity_np(pthread_self(), sizeof(before), &before) == 0) {
        CPU_ZERO(&one);
        CPU_SET((size_t)spec->pu, &one);
        pinned = pthread_setaffinity_np(pthread_self(), sizeof(one), &one) == 0;
    }
    int rc = posix_spawn(pid, spec->path, &fa, &attr, spec->argv, environ);
    if (pinned)
        pthread_setaffinity_np(pthread_self(), sizeof(before), &before);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    return -rc;
}

int arch_child_run(const arch_child_spec_t *spec, arch_child_result_t *out)
{
    memset(out, 0, sizeof(*out));
    capture_t cap[2] = {{-1, spec->out, spec->out ? spec->out_cap : 0, 0, 0},
                        {-1, spec->err, spec->err ? spec->err_cap : 0, 0, spec->err_tail}};
    int write_ends[2] = {-1, -1};
    int rc = 0;
    for (int i = 0; i < 2 && rc == 0; i++) {
        if (cap[i].cap == 0)
            continue;
        cap[i].buf[0] = '\0';
        int p[2];
        if (pipe2(p, O_CLOEXEC) != 0) {
            rc = -errno;
            break;
        }
        cap[i].fd = p[0];
        write_ends[i] = p[1];
    }
    pid_t pid = 0;
    uint64_t t0 = arch_clock_ns();
    if (rc == 0)
        rc = spawn(spec, write_ends, &pid);
    for (int i = 0; i < 2; i++)
        if (write_ends[i] >= 0)
            close(write_ends[i]);
    if (rc != 0) {
        for (int i = 0; i < 2; i++)
            if (cap[i].fd >= 0)
                close(cap[i].fd);
        return rc;
    }
    if (spec->spawned != NULL)
        spec->spawned(spec->context, pid);
    uint64_t deadline = t0 + spec->timeout_ns;
    int status = 0;
    struct rusage usage;
    memset(&usage, 0, sizeof(usage));
    for (;;) {
        if (!out->stopped && !out->timed_out) {
            if (spec->stop != NULL && spec->stop(spec->context))
                out->stopped = 1;
            else if (arch_clock_ns() >= deadline)
                out->timed_out = 1;
            if (out->stopped || out->timed_out)
                arch_child_kill(pid);
        }
        /* Its output as it comes; a child that closed its output and lingers is waited for. */
        take_output(cap, SLICE_MS);
        pid_t w = wait4(pid, &status, WNOHANG, &usage);
        if (w == pid || (w < 0 && errno != EINTR))
            break;
    }
    out->wall_seconds = (double)(arch_clock_ns() - t0) / 1e9;
    /* Anything it left behind in its group goes with it (the group: its own pid is reaped). */
    kill(-pid, SIGKILL);
    /* What it wrote just before it ended may still wait in the pipes (read a bounded amount). */
    for (int i = 0; i < 2; i++) {
        for (int reads = 0; cap[i].fd >= 0; reads++) {
            struct pollfd pfd = {cap[i].fd, POLLIN, 0};
            if (reads == 256 || poll(&pfd, 1, 0) <= 0) {
                close(cap[i].fd);
                cap[i].fd = -1;
            } else {
                drain(&cap[i]);
            }
        }
    }
    out->status = status;
    out->cpu_seconds = (double)usage.ru_utime.tv_sec + (double)usage.ru_utime.tv_usec / 1e6 +
                       (double)usage.ru_stime.tv_sec + (double)usage.ru_stime.tv_usec / 1e6;
    return 0;
}
