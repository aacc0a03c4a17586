/*
 * Energy from perf's "power" PMU: energy-pkg per package, plus energy-ram
 * where the CPU counts DRAM (energy-cores is inside energy-pkg, so it is
 * not added). The counters are 64-bit and system-wide: one per package,
 * opened on the CPU the PMU's cpumask names, with pid -1.
 */
#ifndef MINEMETER_ARCH_ENERGY_PERF_H
#define MINEMETER_ARCH_ENERGY_PERF_H

#include <stddef.h>
#include <stdint.h>

#define ARCH_PERF_ENERGY_EVENTS 2 /* energy-pkg, energy-ram */
#define ARCH_PERF_MAX_PACKAGES  8

/* One event as the PMU's sysfs directory describes it. */
typedef struct {
    const char *name; /* "energy-pkg" */
    uint64_t config;  /* from "event=0x.." */
    double scale;     /* joules per count, from NAME.scale (2^-32 when absent) */
} arch_perf_energy_event_t;

typedef struct {
    uint32_t type; /* the PMU's perf type */
    unsigned events;
    arch_perf_energy_event_t event[ARCH_PERF_ENERGY_EVENTS];
    int cpu[ARCH_PERF_MAX_PACKAGES]; /* from cpumask: one CPU per package */
    unsigned packages;
    unsigned fds;
    int fd[ARCH_PERF_ENERGY_EVENTS * ARCH_PERF_MAX_PACKAGES];
    double fd_scale[ARCH_PERF_ENERGY_EVENTS * ARCH_PERF_MAX_PACKAGES];
} arch_energy_perf_t;

/*
 * Reads the PMU's description under root + "/sys/bus/event_source/devices/
 * power" into p without opening anything. 0, -ENOENT (no power PMU or no
 * energy-pkg event) or -E2BIG (more packages than ARCH_PERF_MAX_PACKAGES).
 */
int arch_energy_perf_describe(arch_energy_perf_t *p, const char *root);

/*
 * Describes, then opens every event on every package. Returns 0 or the
 * negative errno, with reason saying why in one sentence.
 */
int arch_energy_perf_open(arch_energy_perf_t *p, const char *root, char *reason, size_t cap);

/* Joules since open, 0 or -EIO. */
int arch_energy_perf_read(arch_energy_perf_t *p, double *joules);

void arch_energy_perf_close(arch_energy_perf_t *p);

/* "energy-pkg" or "energy-pkg+energy-ram", for labels. */
const char *arch_energy_perf_events_name(const arch_energy_perf_t *p);

#endif
