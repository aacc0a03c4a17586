/*
 * Estimated CPU power per microarchitecture, for machines that expose no
 * energy counter (arch/energy.h finds none, as on most cloud VMs).
 *
 * The numbers are Cloud Carbon Footprint's per-vCPU coefficients, which
 * that project derives from published SPECpower_ssj2008 results; they are
 * kept with their source in arch/power_model_ccf.csv. An estimate is then
 * idle + utilisation * (max - idle) per busy hardware thread. Such an
 * estimate describes a typical server of that generation, not this one, so
 * callers must label it as an estimate and never mix it with measurements.
 */
#ifndef MINEMETER_ARCH_POWER_MODEL_H
#define MINEMETER_ARCH_POWER_MODEL_H

#include <stddef.h>

typedef struct {
    /* "EPYC 4th Gen"; the CSV's microarchitecture; "average of all" for the fallback */
    const char *name;
    double idle_watts; /* per vCPU (hardware thread) at 0% utilisation */
    double max_watts;  /* per vCPU at 100% */
} arch_power_coefficients_t;

/* The table as compiled in (same rows and order as arch/power_model_ccf.csv). */
size_t arch_power_model_rows(const arch_power_coefficients_t **rows);

/* Where the numbers come from, one line: project, file, commit, "from SPECpower_ssj2008". */
const char *arch_power_model_source(void);

/*
 * The row for a CPU identity as arch/cpu.h reports it (vendor "GenuineIntel",
 * "AuthenticAMD", or on aarch64 "arm-0x41" with model = the MIDR part number),
 * into out. Returns 1 when the microarchitecture is known, 0 when out is the
 * average of all rows (named "average of all").
 *
 * The average is the plain arithmetic mean of every row's idle_watts and,
 * separately, of every row's max_watts, each row counted once (so EPYC 2nd
 * Gen's numbers, which the four Graviton rows repeat, count five times):
 * 1.0113 W idle and 3.8128 W max per vCPU for the table as shipped. Cloud
 * Carbon Footprint itself does not derive its fallback from this table; see
 * power_model.c. A NULL vendor gets the average; a NULL out returns -EINVAL.
 */
int arch_power_model_lookup(const char *vendor, unsigned family, unsigned model, unsigned stepping,
                            arch_power_coefficients_t *out);

#endif
