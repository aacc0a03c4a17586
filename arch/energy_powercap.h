/*
 * Energy from the powercap RAPL zones in sysfs (Intel, and AMD through the
 * same driver): each package zone, plus its DRAM sub-zone where the CPU has
 * one. Core sub-zones are inside their package and psys contains the
 * packages, so neither is added. The hardware counters are 32 bits wide and
 * wrap every few minutes at full load; the sum here counts through wraps.
 */
#ifndef MINEMETER_ARCH_ENERGY_POWERCAP_H
#define MINEMETER_ARCH_ENERGY_POWERCAP_H

#include <stddef.h>
#include <stdint.h>

#define ARCH_POWERCAP_MAX_ZONES 16 /* 8 packages, each with a DRAM zone */
#define ARCH_POWERCAP_PATH_MAX  256

typedef struct {
    unsigned zones;    /* energy files summed */
    unsigned packages; /* of them, package zones */
    unsigned dram;     /* of them, DRAM zones */
    char path[ARCH_POWERCAP_MAX_ZONES][ARCH_POWERCAP_PATH_MAX];
    uint64_t range_uj[ARCH_POWERCAP_MAX_ZONES]; /* the wrap point; 0 unknown */
    uint64_t last_uj[ARCH_POWERCAP_MAX_ZONES];
    uint64_t total_uj;
} arch_energy_powercap_t;

/*
 * Opens the zones under root + "/sys/class/powercap". Returns 0, -ENOENT
 * (no package zone), -EACCES (zones this user may not read), -E2BIG (more
 * zones than ARCH_POWERCAP_MAX_ZONES) or -ENAMETOOLONG; reason says which in
 * one sentence, with what to do.
 */
int arch_energy_powercap_open(arch_energy_powercap_t *p, const char *root, char *reason,
                              size_t cap);

/*
 * Joules since open. Returns 0, or -EIO when a zone could not be read or
 * went back with no known range (the readable zones still advance).
 */
int arch_energy_powercap_read(arch_energy_powercap_t *p, double *joules);

#endif
