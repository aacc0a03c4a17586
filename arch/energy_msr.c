/*
 * Package (and server DRAM) energy from the RAPL MSRs via /dev/cpu/N/msr.
 */
#define _GNU_SOURCE
/* MSR numbers are file offsets, and AMD's sit past 2 GiB. */
#define _FILE_OFFSET_BITS 64
#include "config.h"
#include "arch/energy_msr.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

_Static_assert(sizeof(off_t) >= 8, "pread needs 64-bit offsets to reach MSR 0xC001029B");

#define INTEL_RAPL_POWER_UNIT    0x606u
#define INTEL_PKG_ENERGY_STATUS  0x611u
#define INTEL_DRAM_ENERGY_STATUS 0x619u
#define AMD_RAPL_POWER_UNIT      0xC0010299u
#define AMD_PKG_ENERGY_STATUS    0xC001029Bu

/* Energy status units: bits 12:8 of the power-unit MSR, one count = 2^-ESU J. */
#define ESU_SHIFT 8
#define ESU_MASK  0x1Fu

/* The DRAM unit of the Haswell-to-Ice-Lake servers, whatever ESU says ("15.3 µJ"). */
#define DRAM_FIXED_ESU 16

/* RAPL energy MSRs first appear on AMD with Zen (family 17h); Hygon's 18h is a Zen too. */
#define AMD_FIRST_RAPL_FAMILY 0x17u

#define CPU_DIR "/sys/devices/system/cpu"

typedef enum {
    DRAM_NONE,  /* no DRAM domain worth reading (client parts often lack it) */
    DRAM_ESU,   /* counts in the package's ESU unit */
    DRAM_FIXED, /* counts in 2^-16 J regardless of ESU */
} dram_unit_rule_t;

/*
 * Intel family 6 servers with a DRAM energy domain. The fixed-unit list is
 * Linux's perf RAPL driver (model_hsx, model_knl) and turbostat
 * (has_fixed_rapl_unit). Broadwell-D is fixed there, though powercap's
 * intel_rapl_common lists it with the core defaults. Sapphire and Emerald
 * Rapids went back to the ESU unit (kernel commit "Use standard Energy Unit
 * for SPR Dram RAPL domain", 2022).
 */
static const struct {
    unsigned model;
    dram_unit_rule_t rule;
} intel_dram_models[] = {
    {0x2D, DRAM_ESU},   /* Sandy Bridge-EP */
    {0x3E, DRAM_ESU},   /* Ivy Bridge-EP */
    {0x3F, DRAM_FIXED}, /* Haswell-X */
    {0x4F, DRAM_FIXED}, /* Broadwell-X */
    {0x56, DRAM_FIXED}, /* Broadwell-D */
    {0x55, DRAM_FIXED}, /* Skylake-X, Cascade Lake, Cooper Lake */
    {0x57, DRAM_FIXED}, /* Xeon Phi Knights Landing */
    {0x85, DRAM_FIXED}, /* Xeon Phi Knights Mill */
    {0x6A, DRAM_FIXED}, /* Ice Lake-X */
    {0x6C, DRAM_FIXED}, /* Ice Lake-D */
    {0x8F, DRAM_ESU},   /* Sapphire Rapids */
    {0xCF, DRAM_ESU},   /* Emerald Rapids */
};

/* The first (lowest-numbered) online CPU of one physical package. */
typedef struct {
    long package;
    unsigned cpu;
} package_cpu_t;

__attribute__((format(printf, 3, 4))) static void say(char *reason, size_t cap, const char *fmt,
                                                      ...)
{
    if (reason == NULL || cap == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, cap, fmt, ap);
    va_end(ap);
}

/*
 * Writes root + the formatted absolute path into buf. A trailing slash on
 * root is dropped so that root "/" gives "/dev/..." rather than "//dev/...",
 * which reads badly in a reason.
 */
__attribute__((format(printf, 4, 5))) static int path_under(char *buf, size_t cap, const char *root,
                                                            const char *fmt, ...)
{
    size_t len = strlen(root);
    while (len > 0 && root[len - 1] == '/')
        len--;
    if (len >= cap)
        return -ENAMETOOLONG;
    memcpy(buf, root, len);
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf + len, cap - len, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= cap - len)
        return -ENAMETOOLONG;
    return 0;
}

/* The msr driver answers an 8-byte read at offset = MSR number, or fails with EIO. */
static int read_msr(int fd, uint32_t msr, uint64_t *value)
{
    uint64_t v = 0;
    if (pread(fd, &v, sizeof(v), (off_t)msr) != (ssize_t)sizeof(v))
        return -EIO;
    *value = v;
    return 0;
}

static dram_unit_rule_t intel_dram_rule(unsigned family, unsigned model)
{
    if (family != 6)
        return DRAM_NONE;
    for (size_t i = 0; i < sizeof(intel_dram_models) / sizeof(intel_dram_models[0]); i++) {
        if (intel_dram_models[i].model == model)
            return intel_dram_models[i].rule;
    }
    return DRAM_NONE;
}

/* Picks the vendor's MSR numbers, or says why this CPU has none. */
static int pick_msrs(arch_energy_msr_t *m, const char *vendor, unsigned family, unsigned model,
                     dram_unit_rule_t *dram, char *reason, size_t cap)
{
    *dram = DRAM_NONE;
    if (strcmp(vendor, "GenuineIntel") == 0) {
        /* Pre-Sandy Bridge parts lack RAPL too, but they refuse the read, which open reports. */
        m->unit_msr = INTEL_RAPL_POWER_UNIT;
        m->pkg_msr = INTEL_PKG_ENERGY_STATUS;
        *dram = intel_dram_rule(family, model);
        return 0;
    }
    if (strcmp(vendor, "AuthenticAMD") == 0 || strcmp(vendor, "HygonGenuine") == 0) {
        if (family < AMD_FIRST_RAPL_FAMILY) {
            say(reason, cap,
                "%s family %#x has no RAPL energy MSRs (they start with family 0x17, Zen)", vendor,
                family);
            return -ENOENT;
        }
        m->unit_msr = AMD_RAPL_POWER_UNIT;
        m->pkg_msr = AMD_PKG_ENERGY_STATUS;
        return 0;
    }
    say(reason, cap, "CPU vendor \"%.16s\" has no RAPL energy MSRs (only Intel and AMD do)",
        vendor);
    return -ENOENT;
}

/* "cpu12" -> 12; anything else ("cpufreq", "cpuidle", "cpu") is not a CPU. */
static int cpu_number(const char *name, unsigned *cpu)
{
    if (strncmp(name, "cpu", 3) != 0 || name[3] < '0' || name[3] > '9')
        return 0;
    char *end = NULL;
    errno = 0;
    unsigned long n = strtoul(name + 3, &end, 10);
    if (errno != 0 || *end != '\0' || n > 0xFFFFFFFFul)
        return 0;
    *cpu = (unsigned)n;
    return 1;
}

/*
 * Reads cpuN's physical package. An offline CPU has no topology directory,
 * so a missing or unparsable file means "not a CPU we can use", not an error.
 */
static int cpu_package(const char *cpu_dir, unsigned cpu, long *package)
{
    char path[4096];
    if (snprintf(path, sizeof(path), "%s/cpu%u/topology/physical_package_id", cpu_dir, cpu) >=
        (int)sizeof(path))
        return 0;
    FILE *fp = fopen(path, "r");
    if (fp == NULL)
        return 0;
    char buf[32];
    size_t n = fread(buf, 1, sizeof(buf) - 1, fp);
    fclose(fp);
    buf[n] = '\0';
    char *end = NULL;
    errno = 0;
    long id = strtol(buf, &end, 10);
    if (errno != 0 || end == buf || id < 0)
        return 0;
    *package = id;
    return 1;
}

/*
 * Finds each package's first CPU. All of a package's CPUs read the same
 * package counter, so opening more than one per package would count its
 * energy twice. Sorted by package id, so fd[i] follows the package order.
 */
static int find_packages(const char *root, package_cpu_t *pkgs, unsigned *count, char *reason,
                         size_t cap)
{
    char cpu_dir[4096];
    int rc = path_under(cpu_dir, sizeof(cpu_dir), root, CPU_DIR);
    if (rc != 0) {
        say(reason, cap, "the filesystem root \"%.60s\" is too long", root);
        return rc;
    }
    DIR *d = opendir(cpu_dir);
    if (d == NULL) {
        say(reason, cap, "no CPU list at %.200s, so the packages cannot be found", cpu_dir);
        return -ENOENT;
    }
    unsigned n = 0;
    struct dirent *ent;
    rc = 0;
    while (rc == 0 && (ent = readdir(d)) != NULL) {
        unsigned cpu = 0;
        long package = 0;
        if (!cpu_number(ent->d_name, &cpu) || !cpu_package(cpu_dir, cpu, &package))
            continue;
        unsigned i = 0;
        while (i < n && pkgs[i].package != package)
            i++;
        if (i < n) {
            if (cpu < pkgs[i].cpu)
                pkgs[i].cpu = cpu;
        } else if (n == ARCH_ENERGY_MSR_MAX_PACKAGES) {
            /* A sum over only some packages would be a wrong number, not a lower bound. */
            say(reason, cap,
                "more than %d CPU packages; minemeter sums at most that many energy counters",
                ARCH_ENERGY_MSR_MAX_PACKAGES);
            rc = -E2BIG;
        } else {
            pkgs[n].package = package;
            pkgs[n].cpu = cpu;
            n++;
        }
    }
    closedir(d);
    if (rc != 0)
        return rc;
    if (n == 0) {
        say(reason, cap, "no online CPU with a physical_package_id under %.200s", cpu_dir);
        return -ENOENT;
    }
    for (unsigned i = 1; i < n; i++) {
        package_cpu_t key = pkgs[i];
        unsigned j = i;
        for (; j > 0 && pkgs[j - 1].package > key.package; j--)
            pkgs[j] = pkgs[j - 1];
        pkgs[j] = key;
    }
    *count = n;
    return 0;
}

static int open_msr_file(const char *root, unsigned cpu, int *fd, char *reason, size_t cap)
{
    char path[4096];
    int rc = path_under(path, sizeof(path), root, "/dev/cpu/%u/msr", cpu);
    if (rc != 0) {
        say(reason, cap, "the filesystem root \"%.60s\" is too long", root);
        return rc;
    }
    *fd = open(path, O_RDONLY | O_CLOEXEC);
    if (*fd >= 0)
        return 0;
    int err = errno;
    switch (err) {
    case ENOENT:
    case ENXIO: /* A device node left without its driver. */
    case ENODEV:
        say(reason, cap, "no %.200s: load the msr module (modprobe msr)", path);
        return -ENOENT;
    case EACCES:
    case EPERM: /* The driver's own CAP_SYS_RAWIO check. */
        say(reason, cap,
            "%.200s is not readable by this user: run as root (reading MSRs needs "
            "CAP_SYS_RAWIO)",
            path);
        return -EACCES;
    case EIO: /* The driver's answer for a CPU without MSRs. */
        say(reason, cap, "%.200s refused to open: this CPU has no MSRs", path);
        return -EIO;
    default:
        say(reason, cap, "cannot open %.200s: %s", path, strerror(err));
        return -err;
    }
}

static int refused(uint32_t msr, unsigned cpu, char *reason, size_t cap)
{
    say(reason, cap,
        "reading MSR %#x on CPU %u failed: the CPU refused the energy MSRs, as virtual "
        "machines (and Intel CPUs older than Sandy Bridge) do",
        msr, cpu);
    return -EIO;
}

/*
 * Reads each package's unit and starting count. A zero unit or count is
 * treated like a refusal, as the kernel's RAPL driver does: a hypervisor that
 * ignores unknown MSRs answers zeros instead of failing.
 */
static int start_packages(arch_energy_msr_t *m, const package_cpu_t *pkgs, char *reason, size_t cap)
{
    unsigned first_esu = 0;
    for (unsigned p = 0; p < m->packages; p++) {
        uint64_t unit = 0, count = 0;
        if (read_msr(m->fd[p], m->unit_msr, &unit) != 0)
            return refused(m->unit_msr, pkgs[p].cpu, reason, cap);
        if (read_msr(m->fd[p], m->pkg_msr, &count) != 0)
            return refused(m->pkg_msr, pkgs[p].cpu, reason, cap);
        unsigned esu = (unsigned)(unit >> ESU_SHIFT) & ESU_MASK;
        if (esu == 0 || (uint32_t)count == 0) {
            say(reason, cap,
                "MSRs %#x and %#x on CPU %u read as zero: the energy counter is not running, "
                "as under hypervisors that ignore MSR reads",
                m->unit_msr, m->pkg_msr, pkgs[p].cpu);
            return -EIO;
        }
        /* One unit for all packages keeps the sum simple; mixed units mean mixed CPUs. */
        if (p == 0) {
            first_esu = esu;
        } else if (esu != first_esu) {
            say(reason, cap, "CPU packages report different energy units (2^-%u and 2^-%u J)",
                first_esu, esu);
            return -EIO;
        }
        m->last_pkg[p] = (uint32_t)count;
    }
    m->pkg_unit_j = 1.0 / (double)(UINT64_C(1) << first_esu);
    return 0;
}

/* DRAM counts only if every package has it, so the sum means the same on all of them. */
static void start_dram(arch_energy_msr_t *m, dram_unit_rule_t rule)
{
    if (rule == DRAM_NONE)
        return;
    for (unsigned p = 0; p < m->packages; p++) {
        uint64_t count = 0;
        if (read_msr(m->fd[p], INTEL_DRAM_ENERGY_STATUS, &count) != 0 || (uint32_t)count == 0)
            return;
        m->last_dram[p] = (uint32_t)count;
    }
    m->has_dram = 1;
    m->dram_msr = INTEL_DRAM_ENERGY_STATUS;
    m->dram_unit_j =
        rule == DRAM_FIXED ? 1.0 / (double)(UINT64_C(1) << DRAM_FIXED_ESU) : m->pkg_unit_j;
}

int arch_energy_msr_open(arch_energy_msr_t *m, const char *root, const char *vendor,
                         unsigned family, unsigned model, char *reason, size_t cap)
{
    memset(m, 0, sizeof(*m));
    for (unsigned p = 0; p < ARCH_ENERGY_MSR_MAX_PACKAGES; p++)
        m->fd[p] = -1;
    if (reason != NULL && cap > 0)
        reason[0] = '\0';

    dram_unit_rule_t dram = DRAM_NONE;
    int rc = pick_msrs(m, vendor, family, model, &dram, reason, cap);
    if (rc != 0)
        return rc;
    package_cpu_t pkgs[ARCH_ENERGY_MSR_MAX_PACKAGES];
    unsigned count = 0;
    rc = find_packages(root, pkgs, &count, reason, cap);
    if (rc != 0)
        return rc;
    for (unsigned p = 0; rc == 0 && p < count; p++) {
        rc = open_msr_file(root, pkgs[p].cpu, &m->fd[p], reason, cap);
        if (rc == 0)
            m->packages++;
    }
    if (rc == 0)
        rc = start_packages(m, pkgs, reason, cap);
    if (rc != 0) {
        arch_energy_msr_close(m);
        return rc;
    }
    start_dram(m, dram);
    return 0;
}

/* Adds one counter's progress since the last reading; the uint32_t difference spans a wrap. */
static int advance(int fd, uint32_t msr, uint32_t *last, double unit_j, double *total_j)
{
    uint64_t now = 0;
    if (read_msr(fd, msr, &now) != 0)
        return -EIO;
    uint32_t delta = (uint32_t)now - *last;
    *last = (uint32_t)now;
    *total_j += (double)delta * unit_j;
    return 0;
}

int arch_energy_msr_read(arch_energy_msr_t *m, double *joules)
{
    if (m->packages == 0)
        return -ENOENT;
    /* The readable counters are still brought up to date so they do not miss their wraps. */
    int rc = 0;
    for (unsigned p = 0; p < m->packages; p++) {
        if (advance(m->fd[p], m->pkg_msr, &m->last_pkg[p], m->pkg_unit_j, &m->total_j) != 0)
            rc = -EIO;
        if (m->has_dram &&
            advance(m->fd[p], m->dram_msr, &m->last_dram[p], m->dram_unit_j, &m->total_j) != 0)
            rc = -EIO;
    }
    if (rc != 0)
        return rc;
    *joules = m->total_j;
    return 0;
}

void arch_energy_msr_close(arch_energy_msr_t *m)
{
    for (unsigned p = 0; p < m->packages; p++) {
        if (m->fd[p] >= 0)
            close(m->fd[p]);
    }
    memset(m, 0, sizeof(*m));
    for (unsigned p = 0; p < ARCH_ENERGY_MSR_MAX_PACKAGES; p++)
        m->fd[p] = -1;
}

const char *arch_energy_msr_domains(const arch_energy_msr_t *m)
{
    return m->has_dram ? "package+dram" : "package";
}
