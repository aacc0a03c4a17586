/*
 * The estimate where no counter can be read: a linear power model per
 * vCPU (hardware thread), watts = idle + utilisation x (max - idle), summed
 * over the machine's vCPUs, with the utilisation measured: the CPU time
 * all of them spent busy, from /proc/stat, between two reads. Like a
 * package counter it sees every process, so the miner's own share is the
 * run's energy less the idle baseline (bench's marginal figures).
 *
 * The coefficients come from arch/power_model.c (sourced per
 * microarchitecture) or from --power-model.
 */
#ifndef MINEMETER_ARCH_ENERGY_MODEL_H
#define MINEMETER_ARCH_ENERGY_MODEL_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    double idle_watts, max_watts; /* per vCPU */
    unsigned cpus;                /* vCPUs in /proc/stat */
    char stat_path[256];
    double ticks_per_s;
    uint64_t last_busy, last_ns;
    double joules;
} arch_energy_model_t;

/*
 * Starts the estimate from root + "/proc/stat". Returns 0, or a negative
 * errno with reason saying why in one sentence.
 */
int arch_energy_model_open(arch_energy_model_t *m, const char *root, double idle_watts,
                           double max_watts, char *reason, size_t cap);

/* Estimated joules since open; 0 or -EIO (/proc/stat unreadable). */
int arch_energy_model_read(arch_energy_model_t *m, double *joules);

/*
 * Parses /proc/stat text: the busy ticks of the "cpu" line (user, nice,
 * system, irq, softirq; guest time is inside user, and idle, iowait and a
 * hypervisor's steal are not busy) and the number of "cpuN" lines.
 * Returns 0 or -EIO.
 */
int arch_energy_model_parse_stat(const char *text, uint64_t *busy_ticks, unsigned *cpus);

#endif
