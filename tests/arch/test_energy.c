/*
 * arch/energy.c: finds a counter when the kernel offers one, explains
 * itself when it does not, and a readable counter only goes up. The
 * powercap reader is also driven through fake sysfs trees in a temporary
 * directory (a root prefix in arch_energy_config_t), since few test machines have RAPL:
 * which zones count, summing packages, a counter wrap, a counter that
 * vanishes mid-run, and a tree with no counter at all. Layout and wrap rule
 * follow the kernel's Documentation/power/powercap/powercap.rst.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arch/energy.h"
#include "tests/support/fake_tree.h"

/* A real counter range (intel-rapl:0 on a Skylake desktop), in µJ. */
#define REAL_RANGE_UJ "262143328850"

static int path_exists(const char *pattern)
{
    glob_t g;
    int found = glob(pattern, 0, NULL, &g) == 0 && g.gl_pathc > 0;
    if (found)
        globfree(&g);
    return found;
}

/* This machine: a measured source exactly when the kernel offers one, else the labelled estimate.
 */
Test(arch_energy, open_measures_where_the_kernel_offers_a_counter_and_estimates_elsewhere)
{
    arch_energy_t e;
    int rc = arch_energy_open(&e, NULL);
    cr_assert_eq(rc, 0, "not even an estimate: %s", e.reason);
    int offered = path_exists("/sys/bus/event_source/devices/power/events/energy-pkg") ||
                  path_exists("/sys/class/powercap/intel-rapl:[0-9]*/energy_uj");
    if (arch_energy_is_estimate(&e)) {
        cr_expect_eq(strncmp(e.label, "estimated: ", 11), 0, "label: %s", e.label);
        cr_expect_str_neq(e.reason, "", "an estimate says why nothing was measured");
        if (geteuid() == 0)
            cr_expect(!offered, "the kernel offers a counter, yet: %s", e.reason);
    } else {
        cr_expect_eq(strncmp(e.label, "measured: ", 10), 0, "label: %s", e.label);
    }
    double j0 = 0, j1 = 0;
    cr_expect_eq(arch_energy_read(&e, &j0), 0);
    usleep(50000);
    cr_expect_eq(arch_energy_read(&e, &j1), 0);
    cr_expect_geq(j1, j0);
    arch_energy_close(&e);
    double j = 0;
    cr_expect_eq(arch_energy_read(&e, &j), -ENOENT, "a closed source reads nothing");
}

/* A zone under class/powercap; name NULL leaves out the name file, range NULL the range. */
static void fake_zone(const char *zone, const char *name, const char *energy_uj,
                      const char *range_uj)
{
    char rel[128];
    if (name != NULL) {
        snprintf(rel, sizeof(rel), "sys/class/powercap/%s/name", zone);
        fake_tree_write(rel, name);
    }
    if (range_uj != NULL) {
        snprintf(rel, sizeof(rel), "sys/class/powercap/%s/max_energy_range_uj", zone);
        fake_tree_write(rel, range_uj);
    }
    snprintf(rel, sizeof(rel), "sys/class/powercap/%s/energy_uj", zone);
    fake_tree_write(rel, energy_uj);
}

static void fake_energy(const char *zone, const char *energy_uj)
{
    char rel[128];
    snprintf(rel, sizeof(rel), "sys/class/powercap/%s/energy_uj", zone);
    fake_tree_write(rel, energy_uj);
}

/* The fake tree as the machine, with no other source (no ipmitool on PATH, no CPU time). */
static int open_fake_rc(arch_energy_t *e)
{
    setenv("PATH", fake_tree_root, 1);
    arch_energy_config_t cfg = {
        .root = fake_tree_root, .model_idle_watts = -1, .model_max_watts = -1};
    return arch_energy_open(e, &cfg);
}

static void open_fake(arch_energy_t *e, unsigned zones)
{
    int rc = open_fake_rc(e);
    cr_assert_eq(rc, 0, "open: %d (%s)", rc, e->reason);
    cr_assert_eq(e->source, ARCH_ENERGY_POWERCAP);
    cr_assert_eq(e->powercap.zones, zones);
    cr_assert_str_eq(e->label, zones > 1 ? "measured: powercap RAPL package, 2 packages"
                                         : "measured: powercap RAPL package, 1 package");
}

static double read_joules(arch_energy_t *e)
{
    double j = -1;
    int rc = arch_energy_read(e, &j);
    cr_assert_eq(rc, 0, "read: %d", rc);
    return j;
}

Test(arch_energy, one_package_zone_reports_joules_used_since_open, .init = fake_tree_make,
     .fini = fake_tree_remove)
{
    fake_zone("intel-rapl:0", "package-0\n", "1000\n", REAL_RANGE_UJ "\n");
    arch_energy_t e;
    open_fake(&e, 1);
    cr_expect_float_eq(read_joules(&e), 0.0, 1e-12);
    fake_energy("intel-rapl:0", "5000\n");
    cr_expect_float_eq(read_joules(&e), 0.004, 1e-12);
    arch_energy_close(&e);
}

Test(arch_energy, package_zones_of_all_sockets_are_summed, .init = fake_tree_make,
     .fini = fake_tree_remove)
{
    fake_zone("intel-rapl:0", "package-0\n", "1000\n", REAL_RANGE_UJ "\n");
    fake_zone("intel-rapl:1", "package-1\n", "70000\n", REAL_RANGE_UJ "\n");
    arch_energy_t e;
    open_fake(&e, 2);
    fake_energy("intel-rapl:0", "3000\n");
    fake_energy("intel-rapl:1", "71500\n");
    cr_expect_float_eq(read_joules(&e), 0.0035, 1e-12);
    arch_energy_close(&e);
}

Test(arch_energy, counter_that_wraps_between_reads_counts_through_the_wrap, .init = fake_tree_make,
     .fini = fake_tree_remove)
{
    fake_zone("intel-rapl:0", "package-0\n", "9000\n", "10000\n");
    arch_energy_t e;
    open_fake(&e, 1);
    fake_energy("intel-rapl:0", "1000\n");
    /* (10000 - 9000) + 1000 µJ. */
    cr_expect_float_eq(read_joules(&e), 0.002, 1e-12);
    fake_energy("intel-rapl:0", "1500\n");
    cr_expect_float_eq(read_joules(&e), 0.0025, 1e-12);
    arch_energy_close(&e);
}

Test(arch_energy, counter_going_back_without_a_known_range_is_an_error_not_a_guess,
     .init = fake_tree_make, .fini = fake_tree_remove)
{
    fake_zone("intel-rapl:0", "package-0\n", "9000\n", NULL);
    arch_energy_t e;
    open_fake(&e, 1);
    fake_energy("intel-rapl:0", "1000\n");
    double j = -1;
    cr_expect_eq(arch_energy_read(&e, &j), -EIO);
    /* The next reading starts from the one that could not be placed. */
    fake_energy("intel-rapl:0", "1500\n");
    cr_expect_float_eq(read_joules(&e), 0.0005, 1e-12);
    arch_energy_close(&e);
}

Test(arch_energy, sub_zones_psys_and_mmio_zones_are_not_counted, .init = fake_tree_make,
     .fini = fake_tree_remove)
{
    fake_zone("intel-rapl:0", "package-0\n", "1000\n", REAL_RANGE_UJ "\n");
    fake_zone("intel-rapl:0:0", "core\n", "100\n", REAL_RANGE_UJ "\n");
    fake_zone("intel-rapl:0:1", "uncore\n", "100\n", REAL_RANGE_UJ "\n");
    /* A missing name makes a package only at the top level. */
    fake_zone("intel-rapl:0:2", NULL, "100\n", REAL_RANGE_UJ "\n");
    fake_zone("intel-rapl:1", "psys\n", "100\n", REAL_RANGE_UJ "\n");
    fake_zone("intel-rapl-mmio:0", "package-0\n", "100\n", REAL_RANGE_UJ "\n");
    arch_energy_t e;
    open_fake(&e, 1);
    fake_energy("intel-rapl:0", "2000\n");
    fake_energy("intel-rapl:0:0", "900100\n");
    fake_energy("intel-rapl:0:1", "900100\n");
    fake_energy("intel-rapl:0:2", "900100\n");
    fake_energy("intel-rapl:1", "900100\n");
    fake_energy("intel-rapl-mmio:0", "900100\n");
    cr_expect_float_eq(read_joules(&e), 0.001, 1e-12);
    arch_energy_close(&e);
}

Test(arch_energy, top_level_zone_without_a_name_file_counts_as_a_package, .init = fake_tree_make,
     .fini = fake_tree_remove)
{
    fake_zone("intel-rapl:0", NULL, "1000\n", REAL_RANGE_UJ "\n");
    arch_energy_t e;
    open_fake(&e, 1);
    fake_energy("intel-rapl:0", "1250\n");
    cr_expect_float_eq(read_joules(&e), 0.00025, 1e-12);
    arch_energy_close(&e);
}

/*
 * Root reads a mode-000 file anyway, so the counter is made unreadable by
 * deleting it. A counter that is unreadable to a normal user from the
 * start (Linux >= 5.10 makes energy_uj 0400) is covered by the next test,
 * which can only run when the suite is not run as root.
 */
Test(arch_energy, counter_that_vanishes_mid_run_fails_the_read_and_later_reads_recover,
     .init = fake_tree_make, .fini = fake_tree_remove)
{
    fake_zone("intel-rapl:0", "package-0\n", "1000\n", REAL_RANGE_UJ "\n");
    fake_zone("intel-rapl:1", "package-1\n", "1000\n", REAL_RANGE_UJ "\n");
    arch_energy_t e;
    open_fake(&e, 2);
    fake_energy("intel-rapl:0", "2000\n");
    fake_energy("intel-rapl:1", "2000\n");
    cr_expect_float_eq(read_joules(&e), 0.002, 1e-12);

    fake_tree_unlink("sys/class/powercap/intel-rapl:0/energy_uj");
    fake_energy("intel-rapl:1", "3000\n");
    double j = -1;
    cr_expect_eq(arch_energy_read(&e, &j), -EIO);
    cr_expect_eq(arch_energy_read(&e, &j), -EIO);
    cr_expect_float_eq(j, -1.0, 0.0, "a failed read must not report joules");

    /* The zone that stayed readable kept its share while the other was gone. */
    fake_energy("intel-rapl:0", "2500\n");
    cr_expect_float_eq(read_joules(&e), 0.0035, 1e-12);
    arch_energy_close(&e);
}

/* The tree is made after the skip, because a skipped test runs no .fini. */
Test(arch_energy, counter_not_readable_by_this_user_is_reported_as_such, .fini = fake_tree_remove)
{
    if (geteuid() == 0)
        cr_skip_test("root reads a mode-000 file, so this needs a normal user");
    fake_tree_make();
    fake_zone("intel-rapl:0", "package-0\n", "1000\n", REAL_RANGE_UJ "\n");
    char path[256];
    snprintf(path, sizeof(path), "%s/sys/class/powercap/intel-rapl:0/energy_uj", fake_tree_root);
    cr_assert_eq(chmod(path, 0), 0);
    arch_energy_t e;
    cr_expect_neq(open_fake_rc(&e), 0);
    cr_expect_eq(e.attempt[0].source, ARCH_ENERGY_POWERCAP);
    cr_expect_eq(e.attempt[0].rc, -EACCES);
    cr_expect_neq(strstr(e.reason, "readable by root only"), NULL, "reason: %s", e.reason);
    cr_expect_neq(strstr(e.reason, "chmod"), NULL, "says what to do: %s", e.reason);
}

Test(arch_energy, tree_without_counters_says_why_for_each_source_in_order, .init = fake_tree_make,
     .fini = fake_tree_remove)
{
    arch_energy_t e;
    cr_expect_eq(open_fake_rc(&e), -ENOENT);
    static const arch_energy_source_t order[] = {ARCH_ENERGY_POWERCAP, ARCH_ENERGY_PERF,
                                                 ARCH_ENERGY_MSR, ARCH_ENERGY_IPMI,
                                                 ARCH_ENERGY_MODEL};
    cr_assert_eq(e.tried, 5);
    for (unsigned i = 0; i < 5; i++) {
        cr_expect_eq(e.attempt[i].source, order[i], "attempt %u", i);
        cr_expect_neq(e.attempt[i].rc, 0);
        cr_expect_str_neq(e.attempt[i].reason, "", "attempt %u says why", i);
    }
    cr_expect_neq(strstr(e.attempt[0].reason, "no RAPL package zone"), NULL, "%s",
                  e.attempt[0].reason);
    cr_expect_neq(strstr(e.attempt[3].reason, "ipmitool is not installed"), NULL, "%s",
                  e.attempt[3].reason);
    double j = -1;
    cr_expect_eq(arch_energy_read(&e, &j), -ENOENT);

    /* A powercap class with only a psys zone has no package counter either. */
    fake_zone("intel-rapl:0", "psys\n", "1000\n", REAL_RANGE_UJ "\n");
    cr_expect_eq(open_fake_rc(&e), -ENOENT);
    cr_expect_neq(strstr(e.attempt[0].reason, "no RAPL package zone"), NULL, "%s",
                  e.attempt[0].reason);
}

Test(arch_energy, root_too_long_for_the_paths_is_refused_not_cut)
{
    char root[ARCH_POWERCAP_PATH_MAX + 16];
    memset(root, 'a', sizeof(root) - 1);
    root[0] = '/';
    root[sizeof(root) - 1] = '\0';
    arch_energy_t e;
    arch_energy_config_t cfg = {.root = root, .model_idle_watts = -1, .model_max_watts = -1};
    cr_expect_neq(arch_energy_open(&e, &cfg), 0);
    cr_expect_eq(e.attempt[0].rc, -ENAMETOOLONG);
    cr_expect_str_neq(e.attempt[0].reason, "");
}

/* Intel servers count DRAM outside the package: its sub-zone is added, core ones are not. */
Test(arch_energy, dram_sub_zone_is_added_to_its_package, .init = fake_tree_make,
     .fini = fake_tree_remove)
{
    fake_zone("intel-rapl:0", "package-0\n", "1000\n", REAL_RANGE_UJ "\n");
    fake_zone("intel-rapl:0:0", "core\n", "100\n", REAL_RANGE_UJ "\n");
    fake_zone("intel-rapl:0:1", "dram\n", "500\n", "65712999613\n");
    arch_energy_t e;
    cr_assert_eq(open_fake_rc(&e), 0, "%s", e.reason);
    cr_expect_eq(e.powercap.packages, 1);
    cr_expect_eq(e.powercap.dram, 1);
    cr_expect_str_eq(e.label, "measured: powercap RAPL package+dram, 1 package");
    fake_energy("intel-rapl:0", "3000\n");
    fake_energy("intel-rapl:0:0", "90000\n");
    fake_energy("intel-rapl:0:1", "1500\n");
    cr_expect_float_eq(read_joules(&e), 0.003, 1e-12);
    arch_energy_close(&e);
}

/* powercap first, then perf: a machine with both reads the zones (the order). */
Test(arch_energy, powercap_is_tried_before_perf, .init = fake_tree_make, .fini = fake_tree_remove)
{
    fake_tree_write("sys/bus/event_source/devices/power/type", "4294967\n");
    fake_tree_write("sys/bus/event_source/devices/power/events/energy-pkg", "event=0x02\n");
    fake_tree_write("sys/bus/event_source/devices/power/cpumask", "0\n");
    fake_zone("intel-rapl:0", "package-0\n", "1000\n", REAL_RANGE_UJ "\n");
    arch_energy_t e;
    cr_assert_eq(open_fake_rc(&e), 0, "%s", e.reason);
    cr_expect_eq(e.source, ARCH_ENERGY_POWERCAP);
    cr_expect_eq(e.tried, 1, "nothing after the first source that reads");
    arch_energy_close(&e);
}

/* The PMU's description as sysfs gives it: each event's code and its own scale. */
Test(arch_energy, perf_power_pmu_description_gives_each_event_its_code_and_scale,
     .init = fake_tree_make, .fini = fake_tree_remove)
{
    fake_tree_write("sys/bus/event_source/devices/power/type", "21\n");
    fake_tree_write("sys/bus/event_source/devices/power/events/energy-pkg", "event=0x02\n");
    fake_tree_write("sys/bus/event_source/devices/power/events/energy-pkg.scale",
                    "2.3283064365386962890625e-10\n");
    fake_tree_write("sys/bus/event_source/devices/power/events/energy-cores", "event=0x01\n");
    fake_tree_write("sys/bus/event_source/devices/power/events/energy-ram", "event=0x03\n");
    fake_tree_write("sys/bus/event_source/devices/power/events/energy-ram.scale",
                    "1.52587890625e-05\n");
    fake_tree_write("sys/bus/event_source/devices/power/cpumask", "0,28\n");
    arch_energy_perf_t p;
    cr_assert_eq(arch_energy_perf_describe(&p, fake_tree_root), 0);
    cr_expect_eq(p.type, 21);
    cr_assert_eq(p.events, 2, "energy-pkg and energy-ram; energy-cores is inside energy-pkg");
    cr_expect_str_eq(p.event[0].name, "energy-pkg");
    cr_expect_eq(p.event[0].config, 2);
    cr_expect_float_eq(p.event[0].scale, 2.3283064365386962890625e-10, 1e-24);
    cr_expect_str_eq(p.event[1].name, "energy-ram");
    cr_expect_eq(p.event[1].config, 3);
    cr_expect_float_eq(p.event[1].scale, 1.52587890625e-05, 1e-18);
    cr_expect_eq(p.packages, 2);
    cr_expect_eq(p.cpu[0], 0);
    cr_expect_eq(p.cpu[1], 28);
    cr_expect_str_eq(arch_energy_perf_events_name(&p), "energy-pkg+energy-ram");
}

/* A described PMU the kernel does not have: perf_event_open's refusal is the reason given. */
Test(arch_energy, perf_pmu_the_kernel_refuses_is_an_attempt_with_the_reason, .init = fake_tree_make,
     .fini = fake_tree_remove)
{
    fake_tree_write("sys/bus/event_source/devices/power/type", "4294967\n");
    fake_tree_write("sys/bus/event_source/devices/power/events/energy-pkg", "event=0x02\n");
    fake_tree_write("sys/bus/event_source/devices/power/cpumask", "0\n");
    arch_energy_t e;
    cr_expect_neq(open_fake_rc(&e), 0);
    cr_assert_eq(e.attempt[1].source, ARCH_ENERGY_PERF);
    cr_expect_neq(e.attempt[1].rc, 0);
    cr_expect(strstr(e.attempt[1].reason, "perf_event_open") != NULL ||
                  strstr(e.attempt[1].reason, "CAP_PERFMON") != NULL,
              "%s", e.attempt[1].reason);
}

/* --power-cmd is the only source tried: a meter the user named never silently falls back. */
Test(arch_energy, a_named_meter_that_fails_is_an_error_not_a_fallback, .init = fake_tree_make,
     .fini = fake_tree_remove)
{
    fake_zone("intel-rapl:0", "package-0\n", "1000\n", REAL_RANGE_UJ "\n");
    arch_energy_t e;
    arch_energy_config_t cfg = {.root = fake_tree_root,
                                .power_cmd = "echo no reading here",
                                .model_idle_watts = -1,
                                .model_max_watts = -1};
    cr_expect_eq(arch_energy_open(&e, &cfg), -EIO);
    cr_expect_eq(e.source, ARCH_ENERGY_NONE);
    cr_expect_eq(e.tried, 1);
    cr_expect_neq(strstr(e.reason, "no reading here"), NULL, "quotes what it printed: %s",
                  e.reason);
}

Test(arch_energy, model_coefficients_parse_as_idle_then_busy_watts)
{
    double idle = 0, max = 0;
    cr_expect_eq(arch_energy_parse_model("0.74,2.28", &idle, &max), 0);
    cr_expect_float_eq(idle, 0.74, 1e-12);
    cr_expect_float_eq(max, 2.28, 1e-12);
    cr_expect_eq(arch_energy_parse_model("0,10", &idle, &max), 0);
    static const char *const bad[] = {"",     "5",    "5,",     ",5",    "10,5", "5,5",
                                      "-1,5", "1,5x", "1,2000", "nan,5", "1;5"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        cr_expect_eq(arch_energy_parse_model(bad[i], &idle, &max), -EINVAL, "'%s'", bad[i]);
}
