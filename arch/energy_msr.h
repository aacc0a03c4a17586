/*
 * CPU energy read straight from the RAPL energy-status MSRs through the
 * msr driver's /dev/cpu/N/msr files, for kernels that offer neither the
 * perf power PMU nor powercap (or offer them only for Intel). It needs the
 * msr module and CAP_SYS_RAWIO, and virtual machines usually refuse these
 * MSRs. The counters are 32 bits wide and wrap, so readings are
 * accumulated here.
 *
 * MSR numbers and bit fields: Intel SDM vol. 4 (MSR_RAPL_POWER_UNIT 606H,
 * MSR_PKG_ENERGY_STATUS 611H, MSR_DRAM_ENERGY_STATUS 619H) and the AMD
 * family 17h+ PPRs (C001_0299h RAPL_PWR_UNIT, C001_029Bh PKG_ENERGY_STAT).
 * Which Intel servers count DRAM in a fixed 2^-16 J unit follows Linux's
 * perf RAPL driver and turbostat.
 */
#ifndef MINEMETER_ARCH_ENERGY_MSR_H
#define MINEMETER_ARCH_ENERGY_MSR_H

#include <stddef.h>
#include <stdint.h>

#define ARCH_ENERGY_MSR_MAX_PACKAGES 8

typedef struct {
    unsigned packages; /* one open msr file per package */
    int fd[ARCH_ENERGY_MSR_MAX_PACKAGES];
    int has_dram;                   /* Intel server parts: DRAM domain summed in */
    double pkg_unit_j, dram_unit_j; /* joules per count, per domain */
    uint32_t last_pkg[ARCH_ENERGY_MSR_MAX_PACKAGES], last_dram[ARCH_ENERGY_MSR_MAX_PACKAGES];
    double total_j;                       /* accumulated across 32-bit wraps */
    uint32_t pkg_msr, dram_msr, unit_msr; /* dram_msr is 0 unless has_dram */
} arch_energy_msr_t;

/*
 * Opens one /dev/cpu/N/msr per physical package (N = the first CPU of each
 * package, from root/sys/devices/system/cpu/cpuN/topology/physical_package_id;
 * root is a filesystem root, "/" normally, a fake tree in tests: paths are
 * root + "/sys/...", root + "/dev/cpu/N/msr"). vendor/family/model are the
 * CPU identity as arch/cpu.h gives it ("GenuineIntel"/"AuthenticAMD"/
 * "HygonGenuine", displayed family and model).
 *
 * Returns 0, or -ENOENT (no msr device: the msr module is not loaded, or not
 * x86, or a vendor or family without RAPL MSRs), -EACCES (device there but
 * this user may not read it), -EIO (the CPU or hypervisor refuses the energy
 * MSRs, as VMs do, or reads them as zero), -E2BIG (too many packages), or
 * -ENAMETOOLONG (root too long). On failure nothing is left open and reason
 * (cap bytes; may be NULL when cap is 0) says in one sentence what was found
 * and what the user can do.
 *
 * The DRAM domain is added only on Intel server models known to have it, and
 * only when every package reads it (nonzero) at open.
 */
int arch_energy_msr_open(arch_energy_msr_t *m, const char *root, const char *vendor,
                         unsigned family, unsigned model, char *reason, size_t cap);

/*
 * Joules since open (package, plus DRAM when has_dram). Returns 0, -EIO if a
 * counter could not be read (the other counters are still brought up to date,
 * and a later successful read catches up), or -ENOENT if nothing is open.
 * Must be called at least once per wrap period of the 32-bit counters
 * (minutes at full load): two wraps between reads look like one.
 */
int arch_energy_msr_read(arch_energy_msr_t *m, double *joules);

/* Closes the msr files; safe on a meter that failed to open or was closed. */
void arch_energy_msr_close(arch_energy_msr_t *m);

/* "package" or "package+dram" */
const char *arch_energy_msr_domains(const arch_energy_msr_t *m);

#endif
