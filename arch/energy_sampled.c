/*
 * Meters that print watts: one child process per reading, a thread that
 * takes a reading about once a second, and the integral of the readings.
 */
#define _GNU_SOURCE
#include "arch/energy_sampled.h"

#include <errno.h>
#include <math.h>
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

static int meter_stop_asked(void *context)
{
    return stop_asked(context);
}

static void meter_spawned(void *context, pid_t pid)
{
    set_child(context, pid);
}

/* One reading: runs the meter, waits for it (at most the timeout), parses its watts. */
static int take_reading(arch_meter_t *m, double *watts, char *reason, size_t cap)
{
    char *ipmi_argv[] = {"ipmitool", "dcmi", "power", "reading", NULL};
    char *sh_argv[] = {"/bin/sh", "-c", m->command, NULL};
    char ipmitool[512];
    if (m->kind == ARCH_METER_IPMI &&
        arch_child_find("ipmitool", ipmitool, sizeof(ipmitool)) != 0) {
        snprintf(reason, cap, "ipmitool is not installed (apt-get install ipmitool)");
        return -ENOENT;
    }
    char out[1024] = "", err[1024] = "";
    arch_child_spec_t spec = {
        .path = m->kind == ARCH_METER_IPMI ? ipmitool : "/bin/sh",
        .argv = m->kind == ARCH_METER_IPMI ? ipmi_argv : sh_argv,
        .pu = -1,
        .timeout_ns = m->timeout_ns,
        .stop = meter_stop_asked,
        .spawned = meter_spawned,
        .context = m,
        .out = out,
        .out_cap = sizeof(out),
        .err = err,
        .err_cap = sizeof(err),
    };
    arch_child_result_t r;
    int rc = arch_child_run(&spec, &r);
    if (rc != 0) {
        snprintf(reason, cap, "could not start the meter: %s", strerror(-rc));
        return rc;
    }
    int status = r.status;
    rc = r.stopped ? -ECANCELED : r.timed_out ? -ETIMEDOUT : 0;
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
