/*
 * Powercap RAPL zones: which ones count, and their wrap-around.
 * Layout and wrap rule: the kernel's Documentation/power/powercap/powercap.rst.
 */
#include "arch/energy_powercap.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "arch/text_file.h"

#define POWERCAP_DIR     "sys/class/powercap"
#define RAPL_ZONE_PREFIX "intel-rapl:"

typedef enum { ZONE_OTHER, ZONE_PACKAGE, ZONE_DRAM } zone_kind_t;

/* How many ":N" parts follow the prefix: 1 for "intel-rapl:0", 2 for "intel-rapl:0:1", else 0. */
static int zone_depth(const char *name)
{
    size_t len = strlen(RAPL_ZONE_PREFIX);
    if (strncmp(name, RAPL_ZONE_PREFIX, len) != 0)
        return 0;
    int depth = 1, digits = 0;
    for (const char *p = name + len; *p != '\0'; p++) {
        if (*p == ':' && digits > 0) {
            depth++;
            digits = 0;
        } else if (*p >= '0' && *p <= '9') {
            digits++;
        } else {
            return 0;
        }
    }
    return digits > 0 && depth <= 2 ? depth : 0;
}

/*
 * Top-level zones are packages unless named otherwise ("psys" holds the
 * packages); kernels old enough to lack the name file had only packages
 * there. Below a package only "dram" is outside the package's own count.
 */
static int classify_zone(const char *zone_dir, int depth, zone_kind_t *kind)
{
    char name[64];
    int rc = arch_text_read_at(zone_dir, "name", name, sizeof(name));
    *kind = ZONE_OTHER;
    if (rc == -ENOENT) {
        if (depth == 1)
            *kind = ZONE_PACKAGE;
        return 0;
    }
    if (rc != 0)
        return rc;
    if (depth == 1 && strncmp(name, "package", strlen("package")) == 0)
        *kind = ZONE_PACKAGE;
    else if (depth == 2 && strncmp(name, "dram", strlen("dram")) == 0)
        *kind = ZONE_DRAM;
    return 0;
}

static int open_zone(arch_energy_powercap_t *p, const char *zone_dir)
{
    unsigned z = p->zones;
    if (z == ARCH_POWERCAP_MAX_ZONES)
        return -E2BIG;
    int rc = arch_text_join(p->path[z], sizeof(p->path[z]), zone_dir, "energy_uj");
    if (rc != 0)
        return rc;
    /* Zero means "range unknown"; read() then refuses to guess at a wrap. */
    if (arch_text_read_u64_at(zone_dir, "max_energy_range_uj", &p->range_uj[z]) != 0)
        p->range_uj[z] = 0;
    rc = arch_text_read_u64(p->path[z], &p->last_uj[z]);
    if (rc != 0)
        return rc;
    p->zones++;
    return 0;
}

static void explain(int rc, const char *dir, char *reason, size_t cap)
{
    if (rc == -EACCES || rc == -EPERM)
        snprintf(reason, cap,
                 "the RAPL zones in %s are readable by root only (Linux 5.10 and later): run as "
                 "root, or let this user read them with chmod a+r %s/intel-rapl:*/energy_uj",
                 dir, dir);
    else if (rc == -E2BIG)
        snprintf(reason, cap, "more than %d RAPL zones; minemeter sums at most that many",
                 ARCH_POWERCAP_MAX_ZONES);
    else if (rc == -ENAMETOOLONG)
        snprintf(reason, cap, "the path %.80s is too long", dir);
    else if (rc == -ENOENT)
        snprintf(reason, cap, "no RAPL package zone in %s", dir);
    else
        snprintf(reason, cap, "reading the RAPL zones in %s failed: %s", dir, strerror(-rc));
}

int arch_energy_powercap_open(arch_energy_powercap_t *p, const char *root, char *reason, size_t cap)
{
    memset(p, 0, sizeof(*p));
    char dir[ARCH_POWERCAP_PATH_MAX];
    int err = arch_text_join(dir, sizeof(dir), root, POWERCAP_DIR);
    if (err != 0) {
        explain(err, root, reason, cap);
        return err;
    }
    DIR *d = opendir(dir);
    if (d == NULL) {
        explain(-ENOENT, dir, reason, cap);
        return -ENOENT;
    }
    struct dirent *ent;
    while (err == 0 && (ent = readdir(d)) != NULL) {
        int depth = zone_depth(ent->d_name);
        if (depth == 0)
            continue;
        char zone[ARCH_POWERCAP_PATH_MAX];
        zone_kind_t kind = ZONE_OTHER;
        err = arch_text_join(zone, sizeof(zone), dir, ent->d_name);
        if (err == 0)
            err = classify_zone(zone, depth, &kind);
        if (err == 0 && kind != ZONE_OTHER) {
            err = open_zone(p, zone);
            p->packages += err == 0 && kind == ZONE_PACKAGE;
            p->dram += err == 0 && kind == ZONE_DRAM;
        }
    }
    closedir(d);
    if (err == 0 && p->packages == 0)
        err = -ENOENT;
    if (err != 0) {
        explain(err, dir, reason, cap);
        memset(p, 0, sizeof(*p));
        return err;
    }
    return 0;
}

int arch_energy_powercap_read(arch_energy_powercap_t *p, double *joules)
{
    /* The readable zones still advance when one is not, so they do not miss their wraps. */
    int rc = 0;
    for (unsigned i = 0; i < p->zones; i++) {
        uint64_t now = 0;
        if (arch_text_read_u64(p->path[i], &now) != 0) {
            rc = -EIO;
            continue;
        }
        uint64_t last = p->last_uj[i];
        p->last_uj[i] = now;
        if (now >= last)
            p->total_uj += now - last;
        else if (p->range_uj[i] >= last)
            p->total_uj += p->range_uj[i] - last + now; /* wrapped at range_uj */
        else
            rc = -EIO; /* range unknown or below the old reading: no honest delta */
    }
    if (rc != 0)
        return rc;
    *joules = (double)p->total_uj * 1e-6;
    return 0;
}
