/*
 * CPU package energy counters: the perf "power" PMU (energy-pkg, 64-bit,
 * no wrap) first, then the powercap sysfs RAPL zones (32-bit hardware
 * counters that wrap, accumulated here). Both are package-wide, not per
 * thread, and usually need root (Linux 5.10 made powercap root-only).
 */
#ifndef MINEMETER_ARCH_ENERGY_H
#define MINEMETER_ARCH_ENERGY_H

#include <stdint.h>

#define ARCH_ENERGY_MAX_ZONES 8
#define ARCH_ENERGY_PATH_MAX  256

typedef enum {
    ARCH_ENERGY_NONE,
    ARCH_ENERGY_PERF,     /* perf power/energy-pkg/ */
    ARCH_ENERGY_POWERCAP, /* /sys/class/powercap/intel-rapl:N/energy_uj */
} arch_energy_source_t;

typedef struct {
    arch_energy_source_t source;
    unsigned zones;                /* Packages being summed. */
    int fd[ARCH_ENERGY_MAX_ZONES]; /* perf: one per package */
    double perf_scale;             /* perf: joules per count */
    /* powercap: the energy_uj files, and each counter's wrap point. */
    char path[ARCH_ENERGY_MAX_ZONES][ARCH_ENERGY_PATH_MAX];
    uint64_t range_uj[ARCH_ENERGY_MAX_ZONES];
    uint64_t last_uj[ARCH_ENERGY_MAX_ZONES];
    uint64_t total_uj; /* powercap: accumulated across wraps */
    char reason[160];  /* Why no counter could be opened. */
} arch_energy_t;

/*
 * Opens the best readable package-energy counter. Returns 0, or -ENOENT
 * (no counter on this machine), -EACCES (there is one, but not for us) or
 * -E2BIG (more packages than ARCH_ENERGY_MAX_ZONES, so any sum would be
 * short); reason then says which, in words for the user.
 */
int arch_energy_open(arch_energy_t *e);

/*
 * arch_energy_open with sysfs_root in place of "/sys", so tests can point
 * it at a fake tree. Powercap zones count only when they are top-level
 * ("intel-rapl:N", not "intel-rapl:N:M") and their name starts with
 * "package" (or they have no name file); "psys" and sub-zones would count
 * energy twice. -ENAMETOOLONG if sysfs_root is too long for the paths.
 */
int arch_energy_open_at(arch_energy_t *e, const char *sysfs_root);

/*
 * Joules consumed since open. Must be called at least once per wrap period
 * of a powercap counter (minutes at full load) to keep the sum right: a
 * counter that wrapped twice between reads looks like one that wrapped
 * once. Returns 0, -EIO if a counter could not be read (the sum keeps what
 * the other zones added, and later reads carry on), or -ENOENT if nothing
 * is open.
 */
int arch_energy_read(arch_energy_t *e, double *joules);

void arch_energy_close(arch_energy_t *e);

/* "perf energy-pkg", "powercap RAPL" or "none". */
const char *arch_energy_source_name(arch_energy_source_t source);

#endif
