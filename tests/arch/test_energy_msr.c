/*
 * arch/energy_msr.c, driven through fake trees: sysfs topology files plus
 * /dev/cpu/N/msr stand-ins, which are sparse regular files holding each
 * MSR's 8 bytes at the MSR number as offset, as the msr driver reads them.
 * MSR numbers and the ESU field: Intel SDM vol. 4 (606H, 611H, 619H) and
 * AMD's family 17h+ PPRs (C001_0299h, C001_029Bh). The 2^-16 J DRAM unit of
 * Skylake-X and the ESU DRAM unit of Sapphire Rapids follow Linux's
 * arch/x86/events/rapl.c and drivers/powercap/intel_rapl_common.c.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arch/energy_msr.h"
#include "tests/support/fake_tree.h"

#define INTEL_UNIT 0x606u
#define INTEL_PKG  0x611u
#define INTEL_DRAM 0x619u
#define AMD_UNIT   0xC0010299u
#define AMD_PKG    0xC001029Bu

/* Real power-unit readings: ESU 14 (61 µJ) on a Skylake-SP, ESU 16 (15.3 µJ) on a Zen 3. */
#define UNIT_ESU14 0x000A0E03u
#define UNIT_ESU16 0x000A1003u

#define J_PER_COUNT_ESU14 (1.0 / 16384.0)
#define J_PER_COUNT_ESU16 (1.0 / 65536.0)

#define SKYLAKE_X       0x55u
#define COFFEE_LAKE     0x9Eu
#define SAPPHIRE_RAPIDS 0x8Fu

/* Says that cpuN sits in a physical package, as sysfs does for an online CPU. */
static void fake_cpu(unsigned cpu, int package)
{
    char rel[128], text[16];
    snprintf(rel, sizeof(rel), "sys/devices/system/cpu/cpu%u/topology/physical_package_id", cpu);
    snprintf(text, sizeof(text), "%d\n", package);
    fake_tree_write(rel, text);
}

/* Puts value at offset msr in cpuN's fake msr file, making the file if needed. */
static void fake_msr(unsigned cpu, uint32_t msr, uint64_t value)
{
    char rel[64], path[256];
    snprintf(rel, sizeof(rel), "dev/cpu/%u/msr", cpu);
    snprintf(path, sizeof(path), "%s/%s", fake_tree_root, rel);
    if (access(path, F_OK) != 0)
        fake_tree_write(rel, "");
    int fd = open(path, O_WRONLY);
    cr_assert_geq(fd, 0, "open %s: %s", path, strerror(errno));
    cr_assert_eq(pwrite(fd, &value, sizeof(value), (off_t)msr), (ssize_t)sizeof(value),
                 "pwrite %s at %#x: %s", path, msr, strerror(errno));
    close(fd);
}

static void open_fake(arch_energy_msr_t *m, const char *vendor, unsigned family, unsigned model)
{
    char reason[200];
    int rc = arch_energy_msr_open(m, fake_tree_root, vendor, family, model, reason, sizeof(reason));
    cr_assert_eq(rc, 0, "open: %d (%s)", rc, reason);
}

static double read_joules(arch_energy_msr_t *m)
{
    double j = -1;
    int rc = arch_energy_msr_read(m, &j);
    cr_assert_eq(rc, 0, "read: %d", rc);
    return j;
}

Test(arch_energy_msr, intel_package_joules_are_counts_times_the_esu_unit, .init = fake_tree_make,
     .fini = fake_tree_remove)
{
    fake_cpu(0, 0);
    fake_msr(0, INTEL_UNIT, UNIT_ESU14);
    /* Bits 63:32 are reserved; whatever they hold must not count. */
    fake_msr(0, INTEL_PKG, 0xDEAD000000001000u);
    /* A client part's DRAM MSR is not read even when it answers. */
    fake_msr(0, INTEL_DRAM, 5000);
    arch_energy_msr_t m;
    open_fake(&m, "GenuineIntel", 6, COFFEE_LAKE);
    cr_expect_eq(m.packages, 1);
    cr_expect_eq(m.pkg_msr, INTEL_PKG);
    cr_expect_eq(m.unit_msr, INTEL_UNIT);
    cr_expect_float_eq(m.pkg_unit_j, J_PER_COUNT_ESU14, 1e-18);
    cr_expect_str_eq(arch_energy_msr_domains(&m), "package");
    cr_expect_float_eq(read_joules(&m), 0.0, 1e-12);

    fake_msr(0, INTEL_PKG, 0xBEEF000000001000u + 16384);
    fake_msr(0, INTEL_DRAM, 900000);
    cr_expect_float_eq(read_joules(&m), 1.0, 1e-12);
    fake_msr(0, INTEL_PKG, 0x1000u + 16384 + 8192);
    cr_expect_float_eq(read_joules(&m), 1.5, 1e-12);
    arch_energy_msr_close(&m);
}

Test(arch_energy_msr, packages_are_summed_once_each_through_their_first_cpu, .init = fake_tree_make,
     .fini = fake_tree_remove)
{
    /* Two packages with two CPUs each, one CPU offline, and non-CPU entries. */
    fake_cpu(0, 0);
    fake_cpu(1, 1);
    fake_cpu(2, 0);
    fake_cpu(3, 1);
    fake_tree_write("sys/devices/system/cpu/cpu4/online", "0\n");
    fake_tree_write("sys/devices/system/cpu/cpufreq/boost", "1\n");
    fake_tree_write("sys/devices/system/cpu/online", "0-3\n");
    for (unsigned cpu = 0; cpu < 4; cpu++) {
        fake_msr(cpu, INTEL_UNIT, UNIT_ESU14);
        fake_msr(cpu, INTEL_PKG, 1000);
    }
    arch_energy_msr_t m;
    open_fake(&m, "GenuineIntel", 6, COFFEE_LAKE);
    cr_expect_eq(m.packages, 2);

    fake_msr(0, INTEL_PKG, 1000 + 16384);
    fake_msr(1, INTEL_PKG, 1000 + 2 * 16384);
    /* Siblings read their package's counter; were they opened, this would add 20 J. */
    fake_msr(2, INTEL_PKG, 1000 + 10 * 16384);
    fake_msr(3, INTEL_PKG, 1000 + 10 * 16384);
    cr_expect_float_eq(read_joules(&m), 3.0, 1e-12);
    arch_energy_msr_close(&m);
}

Test(arch_energy_msr, counter_that_wraps_between_reads_counts_through_the_wrap,
     .init = fake_tree_make, .fini = fake_tree_remove)
{
    fake_cpu(0, 0);
    fake_msr(0, INTEL_UNIT, UNIT_ESU14);
    fake_msr(0, INTEL_PKG, 0xFFFFF000u);
    arch_energy_msr_t m;
    open_fake(&m, "GenuineIntel", 6, COFFEE_LAKE);
    fake_msr(0, INTEL_PKG, 0x00001000u);
    /* 0x1000 counts up to the wrap and 0x1000 after it: 8192 counts, 0.5 J. */
    cr_expect_float_eq(read_joules(&m), 0.5, 1e-12);
    fake_msr(0, INTEL_PKG, 0x00001000u + 16384);
    cr_expect_float_eq(read_joules(&m), 1.5, 1e-12);
    arch_energy_msr_close(&m);
}

Test(arch_energy_msr, skylake_x_adds_dram_counted_in_its_fixed_2_pow_minus_16_unit,
     .init = fake_tree_make, .fini = fake_tree_remove)
{
    fake_cpu(0, 0);
    fake_msr(0, INTEL_UNIT, UNIT_ESU14);
    fake_msr(0, INTEL_PKG, 1000);
    fake_msr(0, INTEL_DRAM, 7000);
    arch_energy_msr_t m;
    open_fake(&m, "GenuineIntel", 6, SKYLAKE_X);
    cr_expect(m.has_dram);
    cr_expect_eq(m.dram_msr, INTEL_DRAM);
    cr_expect_str_eq(arch_energy_msr_domains(&m), "package+dram");
    cr_expect_float_eq(m.pkg_unit_j, J_PER_COUNT_ESU14, 1e-18);
    cr_expect_float_eq(m.dram_unit_j, J_PER_COUNT_ESU16, 1e-18);

    fake_msr(0, INTEL_PKG, 1000 + 16384);
    fake_msr(0, INTEL_DRAM, 7000 + 65536);
    /* 1 J of package in 61 µJ counts plus 1 J of DRAM in 15.3 µJ counts. */
    cr_expect_float_eq(read_joules(&m), 2.0, 1e-12);
    arch_energy_msr_close(&m);
}

Test(arch_energy_msr, sapphire_rapids_dram_uses_the_esu_unit_like_the_package,
     .init = fake_tree_make, .fini = fake_tree_remove)
{
    fake_cpu(0, 0);
    fake_msr(0, INTEL_UNIT, UNIT_ESU14);
    fake_msr(0, INTEL_PKG, 1000);
    fake_msr(0, INTEL_DRAM, 7000);
    arch_energy_msr_t m;
    open_fake(&m, "GenuineIntel", 6, SAPPHIRE_RAPIDS);
    cr_expect(m.has_dram);
    cr_expect_float_eq(m.dram_unit_j, J_PER_COUNT_ESU14, 1e-18);
    fake_msr(0, INTEL_DRAM, 7000 + 16384);
    cr_expect_float_eq(read_joules(&m), 1.0, 1e-12);
    arch_energy_msr_close(&m);
}

Test(arch_energy_msr, server_whose_dram_msr_cannot_be_read_counts_the_package_alone,
     .init = fake_tree_make, .fini = fake_tree_remove)
{
    /* The file ends before 0x619, so the DRAM read comes back short, like a refused MSR. */
    fake_cpu(0, 0);
    fake_msr(0, INTEL_UNIT, UNIT_ESU14);
    fake_msr(0, INTEL_PKG, 1000);
    arch_energy_msr_t m;
    open_fake(&m, "GenuineIntel", 6, SKYLAKE_X);
    cr_expect_not(m.has_dram);
    cr_expect_eq(m.dram_msr, 0);
    cr_expect_str_eq(arch_energy_msr_domains(&m), "package");
    fake_msr(0, INTEL_PKG, 1000 + 16384);
    cr_expect_float_eq(read_joules(&m), 1.0, 1e-12);
    arch_energy_msr_close(&m);
}

Test(arch_energy_msr, amd_package_is_read_through_the_amd_msrs, .init = fake_tree_make,
     .fini = fake_tree_remove)
{
    fake_cpu(0, 0);
    /* Intel's numbers hold nonsense here, so reading them would show. */
    fake_msr(0, INTEL_UNIT, UNIT_ESU14);
    fake_msr(0, INTEL_PKG, 1);
    fake_msr(0, AMD_UNIT, UNIT_ESU16);
    fake_msr(0, AMD_PKG, 123456);
    arch_energy_msr_t m;
    open_fake(&m, "AuthenticAMD", 0x19, 0x21);
    cr_expect_eq(m.pkg_msr, AMD_PKG);
    cr_expect_eq(m.unit_msr, AMD_UNIT);
    cr_expect_not(m.has_dram);
    cr_expect_float_eq(m.pkg_unit_j, J_PER_COUNT_ESU16, 1e-18);
    fake_msr(0, INTEL_PKG, 999999);
    fake_msr(0, AMD_PKG, 123456 + 3 * 65536);
    cr_expect_float_eq(read_joules(&m), 3.0, 1e-12);
    arch_energy_msr_close(&m);
}

Test(arch_energy_msr, amd_before_zen_has_no_energy_msrs, .init = fake_tree_make,
     .fini = fake_tree_remove)
{
    fake_cpu(0, 0);
    fake_msr(0, AMD_UNIT, UNIT_ESU16);
    fake_msr(0, AMD_PKG, 123456);
    arch_energy_msr_t m;
    char reason[200];
    cr_expect_eq(arch_energy_msr_open(&m, fake_tree_root, "AuthenticAMD", 0x15, 0x02, reason,
                                      sizeof(reason)),
                 -ENOENT);
    cr_expect_neq(strstr(reason, "0x17"), NULL, "reason: %s", reason);
    cr_expect_eq(m.packages, 0);
}

Test(arch_energy_msr, missing_msr_device_says_to_load_the_msr_module, .init = fake_tree_make,
     .fini = fake_tree_remove)
{
    /* As on a stock kernel: /dev/cpu/0 holds only the cpuid device. */
    fake_cpu(0, 0);
    fake_tree_write("dev/cpu/0/cpuid", "");
    arch_energy_msr_t m;
    char reason[200];
    cr_expect_eq(arch_energy_msr_open(&m, fake_tree_root, "GenuineIntel", 6, SKYLAKE_X, reason,
                                      sizeof(reason)),
                 -ENOENT);
    cr_expect_neq(strstr(reason, "modprobe msr"), NULL, "reason: %s", reason);
    double j = -1;
    cr_expect_eq(arch_energy_msr_read(&m, &j), -ENOENT);
    cr_expect_float_eq(j, -1.0, 0.0, "a failed read must not report joules");
}

/* The tree is made after the skip, because a skipped test runs no .fini. */
Test(arch_energy_msr, msr_device_not_readable_by_this_user_says_to_run_as_root,
     .fini = fake_tree_remove)
{
    if (geteuid() == 0)
        cr_skip_test("root reads a mode-000 file, so this needs a normal user");
    fake_tree_make();
    fake_cpu(0, 0);
    fake_msr(0, INTEL_UNIT, UNIT_ESU14);
    fake_msr(0, INTEL_PKG, 1000);
    char path[256];
    snprintf(path, sizeof(path), "%s/dev/cpu/0/msr", fake_tree_root);
    cr_assert_eq(chmod(path, 0), 0);
    arch_energy_msr_t m;
    char reason[200];
    cr_expect_eq(arch_energy_msr_open(&m, fake_tree_root, "GenuineIntel", 6, COFFEE_LAKE, reason,
                                      sizeof(reason)),
                 -EACCES);
    cr_expect_neq(strstr(reason, "root"), NULL, "reason: %s", reason);
    cr_expect_neq(strstr(reason, "CAP_SYS_RAWIO"), NULL, "reason: %s", reason);
}

Test(arch_energy_msr, msr_the_cpu_refuses_to_read_is_an_io_error, .init = fake_tree_make,
     .fini = fake_tree_remove)
{
    /* An empty file reads 0 bytes, the way the driver's EIO reads nothing. */
    fake_cpu(0, 0);
    fake_tree_write("dev/cpu/0/msr", "");
    arch_energy_msr_t m;
    char reason[200];
    cr_expect_eq(arch_energy_msr_open(&m, fake_tree_root, "GenuineIntel", 6, COFFEE_LAKE, reason,
                                      sizeof(reason)),
                 -EIO);
    cr_expect_neq(strstr(reason, "refused"), NULL, "reason: %s", reason);
    cr_expect_eq(m.packages, 0);
}

Test(arch_energy_msr, counter_that_reads_zero_is_refused_like_an_ignored_msr,
     .init = fake_tree_make, .fini = fake_tree_remove)
{
    /* KVM with ignore_msrs answers 0 instead of failing the read. */
    fake_cpu(0, 0);
    fake_msr(0, INTEL_UNIT, 0);
    fake_msr(0, INTEL_PKG, 0);
    arch_energy_msr_t m;
    char reason[200];
    cr_expect_eq(arch_energy_msr_open(&m, fake_tree_root, "GenuineIntel", 6, COFFEE_LAKE, reason,
                                      sizeof(reason)),
                 -EIO);
    cr_expect_neq(strstr(reason, "zero"), NULL, "reason: %s", reason);
}

Test(arch_energy_msr, unknown_vendor_has_no_energy_msrs, .init = fake_tree_make,
     .fini = fake_tree_remove)
{
    fake_cpu(0, 0);
    fake_msr(0, INTEL_UNIT, UNIT_ESU14);
    fake_msr(0, INTEL_PKG, 1000);
    arch_energy_msr_t m;
    char reason[200];
    cr_expect_eq(arch_energy_msr_open(&m, fake_tree_root, "arm", 0, 0, reason, sizeof(reason)),
                 -ENOENT);
    cr_expect_neq(strstr(reason, "arm"), NULL, "reason: %s", reason);
}

Test(arch_energy_msr, more_packages_than_it_can_sum_is_refused, .init = fake_tree_make,
     .fini = fake_tree_remove)
{
    for (unsigned cpu = 0; cpu <= ARCH_ENERGY_MSR_MAX_PACKAGES; cpu++) {
        fake_cpu(cpu, (int)cpu);
        fake_msr(cpu, INTEL_UNIT, UNIT_ESU14);
        fake_msr(cpu, INTEL_PKG, 1000);
    }
    arch_energy_msr_t m;
    char reason[200];
    cr_expect_eq(arch_energy_msr_open(&m, fake_tree_root, "GenuineIntel", 6, SKYLAKE_X, reason,
                                      sizeof(reason)),
                 -E2BIG);
    cr_expect_neq(strstr(reason, "packages"), NULL, "reason: %s", reason);
    cr_expect_eq(m.packages, 0);
}

Test(arch_energy_msr, failed_read_reports_no_joules_and_a_later_read_catches_up,
     .init = fake_tree_make, .fini = fake_tree_remove)
{
    fake_cpu(0, 0);
    fake_cpu(1, 1);
    for (unsigned cpu = 0; cpu < 2; cpu++) {
        fake_msr(cpu, INTEL_UNIT, UNIT_ESU14);
        fake_msr(cpu, INTEL_PKG, 1000);
    }
    arch_energy_msr_t m;
    open_fake(&m, "GenuineIntel", 6, COFFEE_LAKE);

    /*
     * Package 0's MSR stops answering. Package 1 runs three quarters round
     * during that read and wraps before the next, so only a read that kept
     * package 1 up to date while package 0 failed sees its whole 2^32 + 16384
     * counts (262145 J at 61 µJ a count).
     */
    char path[256];
    snprintf(path, sizeof(path), "%s/dev/cpu/0/msr", fake_tree_root);
    cr_assert_eq(truncate(path, 0), 0);
    fake_msr(1, INTEL_PKG, 0xC0000000u);
    double j = -1;
    cr_expect_eq(arch_energy_msr_read(&m, &j), -EIO);
    cr_expect_float_eq(j, -1.0, 0.0, "a failed read must not report joules");

    /* Package 0 catches up from its last good count: 2 J. */
    fake_msr(0, INTEL_UNIT, UNIT_ESU14);
    fake_msr(0, INTEL_PKG, 1000 + 2 * 16384);
    fake_msr(1, INTEL_PKG, 1000 + 16384);
    cr_expect_float_eq(read_joules(&m), 262147.0, 1e-6);
    arch_energy_msr_close(&m);
    cr_expect_eq(arch_energy_msr_read(&m, &j), -ENOENT);
}
