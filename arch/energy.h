/*
 * Where minemeter's power and energy figures come from. Measured sources
 * are tried in order, the first that reads wins:
 *   1. powercap RAPL zones (package, plus DRAM; Intel and AMD);
 *   2. perf's power PMU (energy-pkg, plus energy-ram);
 *   3. the RAPL MSRs through /dev/cpu/N/msr;
 *   4. IPMI DCMI system power through ipmitool (the whole machine);
 * or, when the user names one, only an external meter command
 * (--power-cmd). Where none reads, the energy is an estimate from a linear
 * per-vCPU model over the CPU time the machine spent busy (arch/power_model
 * for the coefficients, or --power-model). Every figure carries the label:
 * "measured: ..." or "estimated: ...", and every source tried says why it
 * did not read. docs/energy.md has the details.
 */
#ifndef MINEMETER_ARCH_ENERGY_H
#define MINEMETER_ARCH_ENERGY_H

#include "arch/cpu.h"
#include "arch/energy_model.h"
#include "arch/energy_msr.h"
#include "arch/energy_perf.h"
#include "arch/energy_powercap.h"
#include "arch/energy_sampled.h"

typedef enum {
    ARCH_ENERGY_NONE,
    ARCH_ENERGY_POWERCAP,
    ARCH_ENERGY_PERF,
    ARCH_ENERGY_MSR,
    ARCH_ENERGY_IPMI,
    ARCH_ENERGY_COMMAND,
    ARCH_ENERGY_MODEL,
} arch_energy_source_t;

#define ARCH_ENERGY_SOURCES 6

typedef struct {
    const char *root;      /* filesystem root; NULL: "/", or $MINEMETER_TEST_ROOT */
    const char *power_cmd; /* the meter to use and nothing else; NULL: find one */
    /* The model per vCPU, as --power-model gives it; both < 0: the table's row for cpu. */
    double model_idle_watts, model_max_watts;
    const arch_cpu_t *cpu; /* NULL: this CPU */
} arch_energy_config_t;

typedef struct {
    arch_energy_source_t source;
    int rc;           /* 0: this one was used */
    char reason[240]; /* why it did not read, with what to do; "" when used */
} arch_energy_attempt_t;

typedef struct arch_energy {
    arch_energy_source_t source;
    char label[200]; /* "measured: powercap RAPL package+dram, 1 package", "estimated: ..." */
    unsigned tried;
    arch_energy_attempt_t attempt[ARCH_ENERGY_SOURCES];
    char reason[240]; /* why nothing was measured (also beside an estimate) */
    arch_energy_powercap_t powercap;
    arch_energy_perf_t perf;
    arch_energy_msr_t msr;
    arch_meter_t meter; /* IPMI or a command: its thread holds &meter, so e never moves */
    arch_energy_model_t model;
} arch_energy_t;

/*
 * Opens the first source that reads (see above). cfg may be NULL for the
 * defaults. Returns 0 (e->label says which source and whether measured or
 * estimated; with an estimate, e->reason says why nothing was measured), or
 * a negative errno with e->reason in one sentence: the --power-cmd meter
 * failed, or not even the estimate could be made.
 */
int arch_energy_open(arch_energy_t *e, const arch_energy_config_t *cfg);

/*
 * Joules since open. Returns 0, -EIO when the source could not be read
 * this time (later reads may recover), or -ENOENT when nothing is open.
 * Counters wrap: read at least every minute or so (bench, load and mine
 * read every second).
 */
int arch_energy_read(arch_energy_t *e, double *joules);

void arch_energy_close(arch_energy_t *e);

/*
 * Tries every source on its own (the meter command only when cfg names
 * one), closing each again: what `minemeter info` lists. Each attempt's
 * reason is the source's label when it opened (rc 0), else why not.
 * Returns how many attempts out holds.
 */
unsigned arch_energy_survey(const arch_energy_config_t *cfg,
                            arch_energy_attempt_t out[ARCH_ENERGY_SOURCES]);

/* Nonzero when e's figures are the model's estimate, not a measurement. */
int arch_energy_is_estimate(const arch_energy_t *e);

/* A short name: "powercap", "perf", "msr", "ipmi", "power-cmd", "model" or "none". */
const char *arch_energy_source_name(arch_energy_source_t source);

/* Parses "IDLE_W,MAX_W" (per vCPU, 0 <= idle < max <= 1000). Returns 0 or -EINVAL. */
int arch_energy_parse_model(const char *text, double *idle_watts, double *max_watts);

#endif
