/*
 * Meters that print watts: one child process per reading, a thread that
 * takes a reading about once a second, and the integral of the readings.
 */
#define _GNU_SOURCE
#include "arch/energy_sampled.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "arch/child_process.h"
#include "arch/clock.h"

#define METER_PERIOD_NS  1000000000ull
#define METER_TIMEOUT_NS 5000000000ull
#define IPMI_FIELD       "Instantaneous power reading:"

extern char **environ;

/* The child of the reading under way (0: none): for a look from outside, never signalled there. */
static void set_child(arch_meter_t *m, pid_t pid)
{
    pthread_mutex_lock(&m->lock);
    m->child = pid;
    pthread_mutex_unlock(&m->lock);
}

/* Whether close() asked the sampler to stop; the open's own reading has no one to ask. */
static int stop_asked(arch_meter_t *m)
{
    pthread_mutex_lock(&m->lock);
    int stop = m->stop;
    pthread_mutex_unlock(&m->lock);
    return stop;
}

static int parse_number(const char *p, double *watts)
{
    for (; *p != '\0'; p++) {
        int starts = (*p >= '0' && *p <= '9') ||
                     ((*p == '-' || *p == '+' || *p == '.') && p[1] >= '0' && p[1] <= '9');
        if (!starts)
            continue;
        char *end = NULL;
        double w = strtod(p, &end);
        if (end == p || !isfinite(w) || w < 0)
            return -EIO;
        *watts = w;
        return 0;
    }
    return -EIO;
}

int arch_meter_parse(arch_meter_kind_t kind, const char *text, double *watts)
{
    if (kind == ARCH_METER_COMMAND)
        return parse_number(text, watts);
    const char *field = strstr(text, IPMI_FIELD);
    if (field == NULL)
        return -EIO;
    /* Only the rest of that line: a number on a later line is another field. */
    char line[128];
    size_t n = strcspn(field + strlen(IPMI_FIELD), "\n");
    if (n >= sizeof(line))
        n = sizeof(line) - 1;
    memcpy(line, field + strlen(IPMI_FIELD), n);
    line[n] = '\0';
    double w = 0;
    /* A BMC whose power reading is deactivated reports 0 W: no measurement. */
    if (parse_number(line, &w) != 0 || w <= 0)
        return -EIO;
    *watts = w;
    return 0;
}

/* The first line of text, trimmed, for an error sentence. */
static void first_line(const char *text, char *out, size_t cap)
{
    while (*text == ' ' || *text == '\t' || *text == '\n')
        text++;
    size_t n = strcspn(text, "\n");
    if (n >= cap)
        n = cap - 1;
    memcpy(out, text, n);
    out[n] = '\0';
}

/*
 * The first executable name in $PATH, into path. Looked up here rather than
 * by posix_spawnp, because under an emulator a failed exec only shows as
 * the child's exit status 127, not as "not found".
 */
static int find_in_path(const char *name, char *path, size_t cap)
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

/*
 * Reads both pipes until they close, the deadline passes (-ETIMEDOUT) or
 * close() asks the sampler to stop (-ECANCELED). Returns 0 when they closed.
 */
static int collect(arch_meter_t *m, int out_fd, int err_fd, char *out, size_t out_cap, char *err,
                   size_t err_cap, uint64_t deadline)
{
    size_t out_len = 0, err_len = 0;
    int open_fds = 2;
    struct pollfd pfd[2] = {{out_fd, POLLIN, 0}, {err_fd, POLLIN, 0}};
    while (open_fds > 0) {
        uint64_t now = arch_clock_ns();
        if (now >= deadline)
            return -ETIMEDOUT;
        if (stop_asked(m))
            return -ECANCELED;
        /* In slices, so a close() is seen within 50 ms. */
        uint64_t left_ms = (deadline - now) / 1000000 + 1;
        int ms = left_ms < 50 ? (int)left_ms : 50;
        if (poll(pfd, 2, ms) < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        for (int i = 0; i < 2; i++) {
            if (pfd[i].fd < 0 || pfd[i].revents == 0)
                continue;
            char *buf = i == 0 ? out : err;
            size_t *len = i == 0 ? &out_len : &err_len;
            size_t cap = i == 0 ? out_cap : err_cap;
            char scratch[256];
            /* Past the buffer, the rest is drained so the child never blocks on a full pipe. */
            ssize_t got = *len + 1 < cap ? read(pfd[i].fd, buf + *len, cap - 1 - *len)
                                         : read(pfd[i].fd, scratch, sizeof(scratch));
            if (got > 0 && *len + 1 < cap) {
                *len += (size_t)got;
                buf[*len] = '\0';
            } else if (got == 0 || (got < 0 && errno != EINTR && errno != EAGAIN)) {
                pfd[i].fd = -1;
                open_fds--;
            }
        }
    }
    return 0;
}

/* One reading: runs the meter, waits for it (at most the timeout), parses its watts. */
static int take_reading(arch_meter_t *m, double *watts, char *reason, size_t cap)
{
    int out_pipe[2], err_pipe[2];
    if (pipe2(out_pipe, O_CLOEXEC) != 0)
        return -errno;
    if (pipe2(err_pipe, O_CLOEXEC) != 0) {
        int rc = -errno;
        close(out_pipe[0]);
        close(out_pipe[1]);
        return rc;
    }
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, out_pipe[1], 1);
    posix_spawn_file_actions_adddup2(&fa, err_pipe[1], 2);
    posix_spawnattr_t attr;
    arch_child_attr_init(&attr);
    char *ipmi_argv[] = {"ipmitool", "dcmi", "power", "reading", NULL};
    char *sh_argv[] = {"/bin/sh", "-c", m->command, NULL};
    pid_t pid = 0;
    char ipmitool[512];
    int rc = m->kind == ARCH_METER_IPMI && find_in_path("ipmitool", ipmitool, sizeof(ipmitool)) != 0
                 ? ENOENT
             : m->kind == ARCH_METER_IPMI
                 ? posix_spawn(&pid, ipmitool, &fa, &attr, ipmi_argv, environ)
                 : posix_spawn(&pid, "/bin/sh", &fa, &attr, sh_argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    close(out_pipe[1]);
    close(err_pipe[1]);
    if (rc != 0) {
        close(out_pipe[0]);
        close(err_pipe[0]);
        if (rc == ENOENT && m->kind == ARCH_METER_IPMI) {
            snprintf(reason, cap, "ipmitool is not installed (apt-get install ipmitool)");
            return -ENOENT;
        }
        snprintf(reason, cap, "could not start the meter: %s", strerror(rc));
        return -rc;
    }
    set_child(m, pid);
    char out[1024] = "", err[1024] = "";
    uint64_t deadline = arch_clock_ns() + m->timeout_ns;
    rc = collect(m, out_pipe[0], err_pipe[0], out, sizeof(out), err, sizeof(err), deadline);
    close(out_pipe[0]);
    close(err_pipe[0]);
    /*
     * Only this thread signals the child, and only before it is reaped, so
     * a pid the kernel has given to another process is never hit. A child
     * that closed its output and lingers gets the rest of the timeout.
     */
    int status = 0;
    for (int killed = 0;;) {
        if (rc != 0 && !killed) {
            arch_child_kill(pid);
            killed = 1;
        }
        pid_t w = waitpid(pid, &status, killed ? 0 : WNOHANG);
        if (w == pid || (w < 0 && errno != EINTR))
            break;
        if (w == 0 && (arch_clock_ns() >= deadline || stop_asked(m)))
            rc = stop_asked(m) ? -ECANCELED : -ETIMEDOUT;
        else if (w == 0)
            nanosleep(&(struct timespec){0, 5000000}, NULL);
    }
    set_child(m, 0);
    if (rc == -ECANCELED) {
        snprintf(reason, cap, "stopped");
        return rc;
    }
    const char *who = m->kind == ARCH_METER_IPMI ? "ipmitool dcmi power reading" : "--power-cmd";
    char line[120];
    if (rc == -ETIMEDOUT) {
        snprintf(reason, cap, "%s gave no answer within %llu s", who,
                 (unsigned long long)(m->timeout_ns / 1000000000ull));
        return rc;
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        first_line(err[0] != '\0' ? err : out, line, sizeof(line));
        if (WIFEXITED(status))
            snprintf(reason, cap, "%s exited with status %d%s%s", who, WEXITSTATUS(status),
                     line[0] != '\0' ? ": " : "", line);
        else
            snprintf(reason, cap, "%s was killed by signal %d", who, WTERMSIG(status));
        return -EIO;
    }
    if (arch_meter_parse(m->kind, out, watts) != 0) {
        first_line(out, line, sizeof(line));
        snprintf(reason, cap, "%s printed no %s (it printed \"%s\")", who,
                 m->kind == ARCH_METER_IPMI ? "instantaneous power reading above 0 W"
                                            : "number of watts",
                 line);
        return -EIO;
    }
    return 0;
}

static void *sampler_main(void *arg)
{
    arch_meter_t *m = arg;
    /*
     * SCHED_IDLE, which the readings' processes inherit: the meter runs in
     * what the miners leave, so where every CPU hashes it waits a little
     * rather than preempting them. (posix_spawn's own scheduler attribute
     * takes no SCHED_IDLE in glibc.)
     */
    struct sched_param idle = {.sched_priority = 0};
    pthread_setschedparam(pthread_self(), SCHED_IDLE, &idle);
    pthread_mutex_lock(&m->lock);
    uint64_t next = m->at_ns + m->period_ns;
    while (!m->stop) {
        struct timespec ts = {(time_t)(next / 1000000000ull), (long)(next % 1000000000ull)};
        if (pthread_cond_timedwait(&m->wake, &m->lock, &ts) != ETIMEDOUT)
            continue;
        if (m->stop)
            break;
        pthread_mutex_unlock(&m->lock);
        double watts = 0;
        char error[sizeof(m->error)] = "";
        int rc = take_reading(m, &watts, error, sizeof(error));
        uint64_t now = arch_clock_ns();
        pthread_mutex_lock(&m->lock);
        /* The last reading holds until this one, even across a failure (docs/energy.md). */
        m->joules += m->watts * (double)(now - m->at_ns) / 1e9;
        m->at_ns = now;
        m->readings++;
        if (rc == 0) {
            m->watts = watts;
            m->failing = 0;
        } else {
            m->failing = 1;
            m->failures++;
            memcpy(m->error, error, sizeof(m->error));
        }
        next += m->period_ns;
        if (next < now)
            next = now + m->period_ns; /* a slow meter: no burst of readings to catch up */
    }
    pthread_mutex_unlock(&m->lock);
    return NULL;
}

int arch_meter_open(arch_meter_t *m, arch_meter_kind_t kind, const char *command, char *reason,
                    size_t cap)
{
    memset(m, 0, sizeof(*m));
    m->kind = kind;
    m->period_ns = METER_PERIOD_NS;
    m->timeout_ns = METER_TIMEOUT_NS;
    if (kind == ARCH_METER_COMMAND) {
        if (command == NULL || command[0] == '\0' || strlen(command) >= sizeof(m->command)) {
            snprintf(reason, cap, "--power-cmd needs a command of 1 to %d characters",
                     ARCH_METER_COMMAND_MAX - 1);
            return -EINVAL;
        }
        strcpy(m->command, command);
    }
    pthread_mutex_init(&m->lock, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&m->wake, &ca);
    pthread_condattr_destroy(&ca);
    int rc = take_reading(m, &m->watts, reason, cap);
    if (rc != 0) {
        pthread_cond_destroy(&m->wake);
        pthread_mutex_destroy(&m->lock);
        return rc;
    }
    m->at_ns = arch_clock_ns();
    m->readings = 1;
    /* The sampler takes no signals meant for the workers or for Ctrl-C. */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    rc = pthread_create(&m->thread, NULL, sampler_main, m);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc != 0) {
        pthread_cond_destroy(&m->wake);
        pthread_mutex_destroy(&m->lock);
        snprintf(reason, cap, "could not start the meter's thread: %s", strerror(rc));
        return -rc;
    }
    m->running = 1;
    return 0;
}

int arch_meter_read(arch_meter_t *m, double *joules)
{
    if (!m->running)
        return -ENOENT;
    pthread_mutex_lock(&m->lock);
    int rc = m->failing ? -EIO : 0;
    if (rc == 0)
        *joules = m->joules + m->watts * (double)(arch_clock_ns() - m->at_ns) / 1e9;
    pthread_mutex_unlock(&m->lock);
    return rc;
}

void arch_meter_close(arch_meter_t *m)
{
    if (!m->running)
        return;
    pthread_mutex_lock(&m->lock);
    m->stop = 1; /* the sampler stops a reading under way itself */
    pthread_cond_signal(&m->wake);
    pthread_mutex_unlock(&m->lock);
    pthread_join(m->thread, NULL);
    pthread_cond_destroy(&m->wake);
    pthread_mutex_destroy(&m->lock);
    m->running = 0;
}
