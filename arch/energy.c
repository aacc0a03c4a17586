/*
 * Package energy through perf's power PMU or powercap sysfs.
 */
#define _GNU_SOURCE
#include "config.h"
#include "arch/energy.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifdef HAVE_LINUX_PERF_EVENT_H
#include <linux/perf_event.h>
#endif

#define PERF_POWER_DIR   "bus/event_source/devices/power"
#define POWERCAP_DIR     "class/powercap"
#define RAPL_ZONE_PREFIX "intel-rapl:"

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
    /* strtoull would take "-1" as a huge count. */
    if (buf[0] < '0' || buf[0] > '9')
        return -EIO;
    char *end = NULL;
    errno = 0;
    unsigned long long v = strtoull(buf, &end, 10);
    if (errno != 0 || end == buf)
        return -EIO;
    *value = v;
    return 0;
}

/* Writes dir + "/" + name into buf, or says it does not fit. */
static int join_path(char *buf, size_t cap, const char *dir, const char *name)
{
    int n = snprintf(buf, cap, "%s/%s", dir, name);
    if (n < 0 || (size_t)n >= cap)
        return -ENAMETOOLONG;
    return 0;
}

/*
 * The file-name room is generous so that any dir that fit in
 * ARCH_ENERGY_PATH_MAX takes any of our short sysfs file names.
 */
static int read_text_at(const char *dir, const char *name, char *buf, size_t cap)
{
    char path[ARCH_ENERGY_PATH_MAX + 64];
    int rc = join_path(path, sizeof(path), dir, name);
    return rc != 0 ? rc : read_text(path, buf, cap);
}

static int read_u64_at(const char *dir, const char *name, uint64_t *value)
{
    char path[ARCH_ENERGY_PATH_MAX + 64];
    int rc = join_path(path, sizeof(path), dir, name);
    return rc != 0 ? rc : read_u64(path, value);
}

#ifdef HAVE_LINUX_PERF_EVENT_H
/*
 * The power PMU is system-wide: one counter per package, opened on the CPU
 * its cpumask names, with pid = -1.
 */
static int open_perf(arch_energy_t *e, const char *root)
{
    char dir[ARCH_ENERGY_PATH_MAX];
    char buf[256];
    int rc = join_path(dir, sizeof(dir), root, PERF_POWER_DIR);
    if (rc != 0)
        return rc;
    uint64_t type = 0;
    if (read_u64_at(dir, "type", &type) != 0)
        return -ENOENT;
    if (read_text_at(dir, "events/energy-pkg", buf, sizeof(buf)) != 0)
        return -ENOENT;
    unsigned long long config = 0;
    if (sscanf(buf, "event=%llx", &config) != 1)
        return -ENOENT;
    e->perf_scale = 2.3283064365386963e-10; /* 2^-32 J, the documented default. */
    if (read_text_at(dir, "events/energy-pkg.scale", buf, sizeof(buf)) == 0)
        e->perf_scale = strtod(buf, NULL);
    if (read_text_at(dir, "cpumask", buf, sizeof(buf)) != 0)
        return -ENOENT;

    int err = 0;
    char *save = NULL;
    for (char *tok = strtok_r(buf, ",\n", &save); tok != NULL; tok = strtok_r(NULL, ",\n", &save)) {
        /* Summing only some packages would be a wrong number, not a lower bound. */
        if (e->zones == ARCH_ENERGY_MAX_ZONES) {
            err = -E2BIG;
            break;
        }
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
static int open_perf(arch_energy_t *e, const char *root)
{
    (void)e;
    (void)root;
    return -ENOENT;
}
#endif

/* "intel-rapl:0" is a package-level zone; "intel-rapl:0:0" and "intel-rapl-mmio:0" are not. */
static int is_top_level_zone(const char *name)
{
    size_t len = strlen(RAPL_ZONE_PREFIX);
    if (strncmp(name, RAPL_ZONE_PREFIX, len) != 0 || name[len] == '\0')
        return 0;
    for (const char *p = name + len; *p != '\0'; p++) {
        if (*p < '0' || *p > '9')
            return 0;
    }
    return 1;
}

/*
 * A top-level zone can also be "psys" (the whole platform, which contains
 * the packages), so the name decides. Kernels old enough to lack the name
 * file had only package zones at the top.
 */
static int is_package_zone(const char *zone_dir, int *is_package)
{
    char name[64];
    int rc = read_text_at(zone_dir, "name", name, sizeof(name));
    if (rc == -ENOENT) {
        *is_package = 1;
        return 0;
    }
    if (rc != 0)
        return rc;
    *is_package = strncmp(name, "package", strlen("package")) == 0;
    return 0;
}

static int open_zone(arch_energy_t *e, const char *zone_dir)
{
    unsigned z = e->zones;
    if (z == ARCH_ENERGY_MAX_ZONES)
        return -E2BIG;
    int rc = join_path(e->path[z], sizeof(e->path[z]), zone_dir, "energy_uj");
    if (rc != 0)
        return rc;
    /* Zero means "range unknown"; read() then refuses to guess at a wrap. */
    if (read_u64_at(zone_dir, "max_energy_range_uj", &e->range_uj[z]) != 0)
        e->range_uj[z] = 0;
    rc = read_u64(e->path[z], &e->last_uj[z]);
    if (rc != 0)
        return rc;
    e->zones++;
    return 0;
}

static int open_powercap(arch_energy_t *e, const char *root)
{
    char dir[ARCH_ENERGY_PATH_MAX];
    int err = join_path(dir, sizeof(dir), root, POWERCAP_DIR);
    if (err != 0)
        return err;
    DIR *d = opendir(dir);
    if (d == NULL)
        return -ENOENT;
    struct dirent *ent;
    while (err == 0 && (ent = readdir(d)) != NULL) {
        if (!is_top_level_zone(ent->d_name))
            continue;
        char zone[ARCH_ENERGY_PATH_MAX];
        int is_package = 0;
        err = join_path(zone, sizeof(zone), dir, ent->d_name);
        if (err == 0)
            err = is_package_zone(zone, &is_package);
        if (err == 0 && is_package)
            err = open_zone(e, zone);
    }
    closedir(d);
    if (err != 0) {
        e->zones = 0;
        return err;
    }
    if (e->zones == 0)
        return -ENOENT;
    e->source = ARCH_ENERGY_POWERCAP;
    return 0;
}

int arch_energy_open(arch_energy_t *e)
{
    /* A test hook: MINEMETER_TEST_SYSFS_ROOT=DIR makes the binary read a made-up sysfs. */
    const char *root = getenv("MINEMETER_TEST_SYSFS_ROOT");
    return arch_energy_open_at(e, root != NULL ? root : "/sys");
}

int arch_energy_open_at(arch_energy_t *e, const char *sysfs_root)
{
    memset(e, 0, sizeof(*e));
    int perf = open_perf(e, sysfs_root);
    if (perf == 0)
        return 0;
    int cap = open_powercap(e, sysfs_root);
    if (cap == 0)
        return 0;
    if (perf == -EACCES || perf == -EPERM || cap == -EACCES || cap == -EPERM) {
        snprintf(e->reason, sizeof(e->reason),
                 "package energy counters exist but are not readable by this user "
                 "(run as root, or lower kernel.perf_event_paranoid)");
        return -EACCES;
    }
    if (perf == -E2BIG || cap == -E2BIG) {
        snprintf(e->reason, sizeof(e->reason),
                 "more than %d CPU packages; minemeter sums at most that many energy counters",
                 ARCH_ENERGY_MAX_ZONES);
        return -E2BIG;
    }
    if (perf == -ENAMETOOLONG || cap == -ENAMETOOLONG) {
        snprintf(e->reason, sizeof(e->reason), "sysfs root \"%.60s\" is too long", sysfs_root);
        return -ENAMETOOLONG;
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
    case ARCH_ENERGY_POWERCAP: {
        /*
         * The readable zones are still brought up to date when one is
         * not, so a lost zone does not make the others miss their wraps.
         */
        int rc = 0;
        for (unsigned i = 0; i < e->zones; i++) {
            uint64_t now = 0;
            if (read_u64(e->path[i], &now) != 0) {
                rc = -EIO;
                continue;
            }
            uint64_t last = e->last_uj[i];
            e->last_uj[i] = now;
            if (now >= last) {
                e->total_uj += now - last;
            } else if (e->range_uj[i] >= last) {
                /* A smaller reading means the counter wrapped at range_uj. */
                e->total_uj += e->range_uj[i] - last + now;
            } else {
                /* Range unknown or below the old reading: no honest delta. */
                rc = -EIO;
            }
        }
        if (rc != 0)
            return rc;
        *joules = (double)e->total_uj * 1e-6;
        return 0;
    }
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
