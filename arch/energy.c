/*
 * Package energy through perf's power PMU or powercap sysfs.
 */
#define _GNU_SOURCE
#include "config.h"
#include "arch/energy.h"

#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifdef HAVE_LINUX_PERF_EVENT_H
#include <linux/perf_event.h>
#endif

#define PERF_POWER_DIR "/sys/bus/event_source/devices/power"

static int read_text(const char *path, char *buf, size_t cap)
{
    FILE *fp = fopen(path, "r");
    if (fp == NULL)
        return -errno;
    size_t n = fread(buf, 1, cap - 1, fp);
    fclose(fp);
    buf[n] = '\0';
    return 0;
}

static int read_u64(const char *path, uint64_t *value)
{
    char buf[64];
    int rc = read_text(path, buf, sizeof(buf));
    if (rc != 0)
        return rc;
    char *end = NULL;
    errno = 0;
    unsigned long long v = strtoull(buf, &end, 10);
    if (errno != 0 || end == buf)
        return -EIO;
    *value = v;
    return 0;
}

#ifdef HAVE_LINUX_PERF_EVENT_H
/*
 * The power PMU is system-wide: one counter per package, opened on the CPU
 * its cpumask names, with pid = -1.
 */
static int open_perf(arch_energy_t *e)
{
    char buf[256];
    uint64_t type = 0;
    if (read_u64(PERF_POWER_DIR "/type", &type) != 0)
        return -ENOENT;
    if (read_text(PERF_POWER_DIR "/events/energy-pkg", buf, sizeof(buf)) != 0)
        return -ENOENT;
    unsigned long long config = 0;
    if (sscanf(buf, "event=%llx", &config) != 1)
        return -ENOENT;
    e->perf_scale = 2.3283064365386963e-10; /* 2^-32 J, the documented default. */
    if (read_text(PERF_POWER_DIR "/events/energy-pkg.scale", buf, sizeof(buf)) == 0)
        e->perf_scale = strtod(buf, NULL);
    if (read_text(PERF_POWER_DIR "/cpumask", buf, sizeof(buf)) != 0)
        return -ENOENT;

    int err = 0;
    char *save = NULL;
    for (char *tok = strtok_r(buf, ",\n", &save); tok != NULL && e->zones < ARCH_ENERGY_MAX_ZONES;
         tok = strtok_r(NULL, ",\n", &save)) {
        struct perf_event_attr attr;
        memset(&attr, 0, sizeof(attr));
        attr.type = (uint32_t)type;
        attr.size = sizeof(attr);
        attr.config = config;
        long fd = syscall(SYS_perf_event_open, &attr, -1, atoi(tok), -1, 0);
        if (fd < 0) {
            err = -errno;
            break;
        }
        e->fd[e->zones++] = (int)fd;
    }
    if (err != 0 || e->zones == 0) {
        for (unsigned i = 0; i < e->zones; i++)
            close(e->fd[i]);
        e->zones = 0;
        return err != 0 ? err : -ENOENT;
    }
    e->source = ARCH_ENERGY_PERF;
    return 0;
}
#else
static int open_perf(arch_energy_t *e)
{
    (void)e;
    return -ENOENT;
}
#endif

/* Top-level package zones only ("intel-rapl:0", not "intel-rapl:0:0"). */
static int open_powercap(arch_energy_t *e)
{
    glob_t g;
    if (glob("/sys/class/powercap/intel-rapl:[0-9]*", 0, NULL, &g) != 0)
        return -ENOENT;
    int err = -ENOENT;
    for (size_t i = 0; i < g.gl_pathc && e->zones < ARCH_ENERGY_MAX_ZONES; i++) {
        const char *zone = g.gl_pathv[i];
        if (strchr(strrchr(zone, '/') + strlen("/intel-rapl:"), ':') != NULL)
            continue;
        unsigned z = e->zones;
        char path[160];
        snprintf(e->path[z], sizeof(e->path[z]), "%.80s/energy_uj", zone);
        snprintf(path, sizeof(path), "%.80s/max_energy_range_uj", zone);
        if (read_u64(path, &e->range_uj[z]) != 0)
            e->range_uj[z] = 0;
        int rc = read_u64(e->path[z], &e->last_uj[z]);
        if (rc != 0) {
            err = rc;
            break;
        }
        e->zones++;
    }
    globfree(&g);
    if (e->zones == 0)
        return err;
    if (err != -ENOENT) {
        e->zones = 0;
        return err;
    }
    e->source = ARCH_ENERGY_POWERCAP;
    return 0;
}

int arch_energy_open(arch_energy_t *e)
{
    memset(e, 0, sizeof(*e));
    int perf = open_perf(e);
    if (perf == 0)
        return 0;
    int cap = open_powercap(e);
    if (cap == 0)
        return 0;
    if (perf == -EACCES || perf == -EPERM || cap == -EACCES || cap == -EPERM) {
        snprintf(e->reason, sizeof(e->reason),
                 "package energy counters exist but are not readable by this user "
                 "(run as root, or lower kernel.perf_event_paranoid)");
        return -EACCES;
    }
    snprintf(e->reason, sizeof(e->reason),
             "no package energy counter found (no perf power PMU, no powercap RAPL zone; "
             "common inside virtual machines)");
    return -ENOENT;
}

int arch_energy_read(arch_energy_t *e, double *joules)
{
    switch (e->source) {
    case ARCH_ENERGY_PERF: {
        double sum = 0;
        for (unsigned i = 0; i < e->zones; i++) {
            uint64_t count = 0;
            if (read(e->fd[i], &count, sizeof(count)) != (ssize_t)sizeof(count))
                return -EIO;
            sum += (double)count * e->perf_scale;
        }
        *joules = sum;
        return 0;
    }
    case ARCH_ENERGY_POWERCAP:
        for (unsigned i = 0; i < e->zones; i++) {
            uint64_t now = 0;
            int rc = read_u64(e->path[i], &now);
            if (rc != 0)
                return rc;
            uint64_t last = e->last_uj[i];
            /* A smaller reading means the counter wrapped at range_uj. */
            e->total_uj += now >= last ? now - last : e->range_uj[i] - last + now;
            e->last_uj[i] = now;
        }
        *joules = (double)e->total_uj * 1e-6;
        return 0;
    case ARCH_ENERGY_NONE:
        break;
    }
    return -ENOENT;
}

void arch_energy_close(arch_energy_t *e)
{
    if (e->source == ARCH_ENERGY_PERF) {
        for (unsigned i = 0; i < e->zones; i++)
            close(e->fd[i]);
    }
    memset(e, 0, sizeof(*e));
}

const char *arch_energy_source_name(arch_energy_source_t source)
{
    switch (source) {
    case ARCH_ENERGY_PERF:
        return "perf energy-pkg";
    case ARCH_ENERGY_POWERCAP:
        return "powercap RAPL";
    case ARCH_ENERGY_NONE:
        break;
    }
    return "none";
}
