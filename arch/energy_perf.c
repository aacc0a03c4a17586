/*
 * perf's power PMU: reading its sysfs description and opening its counters.
 */
#define _GNU_SOURCE
#include "config.h"
#include "arch/energy_perf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifdef HAVE_LINUX_PERF_EVENT_H
#include <linux/perf_event.h>
#endif

#include "arch/text_file.h"

#define PERF_POWER_DIR "sys/bus/event_source/devices/power"

static const char *const event_names[ARCH_PERF_ENERGY_EVENTS] = {"energy-pkg", "energy-ram"};

/* "event=0x02" (the kernel may add ",umask=..": the power PMU has none). */
static int read_event(const char *dir, const char *name, arch_perf_energy_event_t *ev)
{
    char path[128], buf[128];
    snprintf(path, sizeof(path), "events/%s", name);
    if (arch_text_read_at(dir, path, buf, sizeof(buf)) != 0)
        return -ENOENT;
    unsigned long long config = 0;
    if (sscanf(buf, "event=%llx", &config) != 1)
        return -ENOENT;
    ev->name = name;
    ev->config = config;
    ev->scale = 2.3283064365386963e-10; /* 2^-32 J, the kernel's unit when no scale is given */
    snprintf(path, sizeof(path), "events/%s.scale", name);
    if (arch_text_read_at(dir, path, buf, sizeof(buf)) == 0) {
        char *end = NULL;
        double scale = strtod(buf, &end);
        if (end != buf && scale > 0)
            ev->scale = scale;
    }
    return 0;
}

int arch_energy_perf_describe(arch_energy_perf_t *p, const char *root)
{
    memset(p, 0, sizeof(*p));
    char dir[256], buf[256];
    int rc = arch_text_join(dir, sizeof(dir), root, PERF_POWER_DIR);
    if (rc != 0)
        return rc;
    uint64_t type = 0;
    if (arch_text_read_u64_at(dir, "type", &type) != 0 || type > UINT32_MAX)
        return -ENOENT;
    p->type = (uint32_t)type;
    for (unsigned i = 0; i < ARCH_PERF_ENERGY_EVENTS; i++) {
        if (read_event(dir, event_names[i], &p->event[p->events]) == 0)
            p->events++;
        else if (i == 0)
            return -ENOENT; /* DRAM alone would not be the CPU's energy */
    }
    if (arch_text_read_at(dir, "cpumask", buf, sizeof(buf)) != 0)
        return -ENOENT;
    char *save = NULL;
    for (char *tok = strtok_r(buf, ",\n", &save); tok != NULL; tok = strtok_r(NULL, ",\n", &save)) {
        /* Summing only some packages would be a wrong number, not a lower bound. */
        if (p->packages == ARCH_PERF_MAX_PACKAGES)
            return -E2BIG;
        p->cpu[p->packages++] = atoi(tok);
    }
    return p->packages > 0 ? 0 : -ENOENT;
}

#ifdef HAVE_LINUX_PERF_EVENT_H
static int open_counter(uint32_t type, uint64_t config, int cpu)
{
    struct perf_event_attr attr;
    memset(&attr, 0, sizeof(attr));
    attr.type = type;
    attr.size = sizeof(attr);
    attr.config = config;
    long fd = syscall(SYS_perf_event_open, &attr, -1, cpu, -1, 0);
    return fd < 0 ? -errno : (int)fd;
}
#else
static int open_counter(uint32_t type, uint64_t config, int cpu)
{
    (void)type;
    (void)config;
    (void)cpu;
    return -ENOENT;
}
#endif

int arch_energy_perf_open(arch_energy_perf_t *p, const char *root, char *reason, size_t cap)
{
    int rc = arch_energy_perf_describe(p, root);
    if (rc == -E2BIG) {
        snprintf(reason, cap, "more than %d packages in the power PMU's cpumask",
                 ARCH_PERF_MAX_PACKAGES);
        return rc;
    }
    if (rc != 0) {
        snprintf(reason, cap, "no perf power PMU with an energy-pkg event");
        return rc == -ENAMETOOLONG ? rc : -ENOENT;
    }
    for (unsigned e = 0; e < p->events && rc == 0; e++) {
        for (unsigned k = 0; k < p->packages && rc == 0; k++) {
            int fd = open_counter(p->type, p->event[e].config, p->cpu[k]);
            if (fd < 0) {
                rc = fd;
                break;
            }
            p->fd_scale[p->fds] = p->event[e].scale;
            p->fd[p->fds++] = fd;
        }
    }
    if (rc == 0)
        return 0;
    arch_energy_perf_close(p);
    if (rc == -EACCES || rc == -EPERM) {
        snprintf(reason, cap,
                 "perf's power PMU needs root or CAP_PERFMON (or kernel.perf_event_paranoid "
                 "set to 0 or below: sysctl kernel.perf_event_paranoid=0)");
        return -EACCES;
    }
    snprintf(reason, cap, "perf_event_open refused the power PMU's %s event: %s",
             p->event[0].name != NULL ? p->event[0].name : "energy", strerror(-rc));
    return rc;
}

int arch_energy_perf_read(arch_energy_perf_t *p, double *joules)
{
    double sum = 0;
    for (unsigned i = 0; i < p->fds; i++) {
        uint64_t count = 0;
        if (read(p->fd[i], &count, sizeof(count)) != (ssize_t)sizeof(count))
            return -EIO;
        sum += (double)count * p->fd_scale[i];
    }
    *joules = sum;
    return 0;
}

void arch_energy_perf_close(arch_energy_perf_t *p)
{
    for (unsigned i = 0; i < p->fds; i++)
        close(p->fd[i]);
    p->fds = 0;
}

const char *arch_energy_perf_events_name(const arch_energy_perf_t *p)
{
    return p->events > 1 ? "energy-pkg+energy-ram" : "energy-pkg";
}
