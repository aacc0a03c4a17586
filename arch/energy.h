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

typedef enum {
    ARCH_ENERGY_NONE,
    ARCH_ENERGY_PERF,     /* perf power/energy-pkg/ */
    ARCH_ENERGY_POWERCAP, /* /sys/class/powercap/intel-rapl:N/energy_uj */
} arch_energy_source_t;

typedef struct {
    arch_energy_source_t source;
    unsigned zones;                       /* Packages being summed. */
    int fd[ARCH_ENERGY_MAX_ZONES];        /* perf: one per package */
    double perf_scale;                    /* perf: joules per count */
    char path[ARCH_ENERGY_MAX_ZONES][96]; /* powercap: energy_uj files */
    uint64_t range_uj[ARCH_ENERGY_MAX_ZONES];
    uint64_t last_uj[ARCH_ENERGY_MAX_ZONES];
    uint64_t total_uj; /* powercap: accumulated across wraps */
    char reason[160];  /* Why no counter could be opened. */
} arch_energy_t;

/*
 * Opens the best readable package-energy counter. Returns 0, or -ENOENT
 * (no counter on this machine) or -EACCES (there is one, but not for us);
 * reason then says which, in words for the user.
 */
int arch_energy_open(arch_energy_t *e);

/*
 * Joules consumed since open. Must be called at least once per wrap period
 * of a powercap counter (minutes at full load) to keep the sum right.
 * Returns 0 or a negative errno.
 */
int arch_energy_read(arch_energy_t *e, double *joules);

void arch_energy_close(arch_energy_t *e);

/* "perf energy-pkg", "powercap RAPL" or "none". */
const char *arch_energy_source_name(arch_energy_source_t source);

#endif
