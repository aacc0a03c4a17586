/*
 * arch/energy.c: finds a counter when the kernel offers one, explains
 * itself when it does not, and a readable counter only goes up. The
 * powercap reader is also driven through fake sysfs trees in a temporary
 * directory (arch_energy_open_at), since few test machines have RAPL:
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

Test(arch_energy, open_finds_a_counter_the_kernel_offers_or_says_why_not)
{
    arch_energy_t e;
    int rc = arch_energy_open(&e);
    int offered = path_exists("/sys/bus/event_source/devices/power/events/energy-pkg") ||
                  path_exists("/sys/class/powercap/intel-rapl:[0-9]*/energy_uj");
    if (rc == 0) {
        cr_expect(offered, "a counter opened although the kernel offers none");
        cr_expect_neq(e.source, ARCH_ENERGY_NONE);
        cr_expect_gt(e.zones, 0);
        double j0 = 0, j1 = 0;
        cr_expect_eq(arch_energy_read(&e, &j0), 0);
        usleep(20000);
        cr_expect_eq(arch_energy_read(&e, &j1), 0);
        cr_expect_geq(j1, j0);
        arch_energy_close(&e);
    } else {
        cr_expect(rc == -ENOENT || rc == -EACCES, "rc %d", rc);
        cr_expect_str_neq(e.reason, "");
        if (offered && geteuid() == 0)
            cr_expect_neq(rc, -ENOENT, "the kernel offers a counter but none was found");
        double j = 0;
        cr_expect_eq(arch_energy_read(&e, &j), -ENOENT);
    }
}

/* A zone under class/powercap; name NULL leaves out the name file, range NULL the range. */
static void fake_zone(const char *zone, const char *name, const char *energy_uj,
                      const char *range_uj)
{
    char rel[128];
    if (name != NULL) {
        snprintf(rel, sizeof(rel), "class/powercap/%s/name", zone);
        fake_tree_write(rel, name);
    }
    if (range_uj != NULL) {
        snprintf(rel, sizeof(rel), "class/powercap/%s/max_energy_range_uj", zone);
        fake_tree_write(rel, range_uj);
    }
    snprintf(rel, sizeof(rel), "class/powercap/%s/energy_uj", zone);
    fake_tree_write(rel, energy_uj);
}

static void fake_energy(const char *zone, const char *energy_uj)
{
    char rel[128];
    snprintf(rel, sizeof(rel), "class/powercap/%s/energy_uj", zone);
    fake_tree_write(rel, energy_uj);
}

static void open_fake(arch_energy_t *e, unsigned zones)
{
    int rc = arch_energy_open_at(e, fake_tree_root);
    cr_assert_eq(rc, 0, "open: %d (%s)", rc, e->reason);
    cr_assert_eq(e->source, ARCH_ENERGY_POWERCAP);
    cr_assert_eq(e->zones, zones);
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

    fake_tree_unlink("class/powercap/intel-rapl:0/energy_uj");
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
    snprintf(path, sizeof(path), "%s/class/powercap/intel-rapl:0/energy_uj", fake_tree_root);
    cr_assert_eq(chmod(path, 0), 0);
    arch_energy_t e;
    cr_expect_eq(arch_energy_open_at(&e, fake_tree_root), -EACCES);
    cr_expect_neq(strstr(e.reason, "not readable"), NULL, "reason: %s", e.reason);
}

Test(arch_energy, tree_without_counters_is_not_found_and_says_so, .init = fake_tree_make,
     .fini = fake_tree_remove)
{
    arch_energy_t e;
    cr_expect_eq(arch_energy_open_at(&e, fake_tree_root), -ENOENT);
    cr_expect_neq(strstr(e.reason, "no package energy counter"), NULL, "reason: %s", e.reason);
    double j = -1;
    cr_expect_eq(arch_energy_read(&e, &j), -ENOENT);

    /* A powercap class with only a psys zone has no package counter either. */
    fake_zone("intel-rapl:0", "psys\n", "1000\n", REAL_RANGE_UJ "\n");
    cr_expect_eq(arch_energy_open_at(&e, fake_tree_root), -ENOENT);
    cr_expect_neq(strstr(e.reason, "no package energy counter"), NULL, "reason: %s", e.reason);
}

Test(arch_energy, sysfs_root_too_long_for_the_paths_is_refused)
{
    char root[ARCH_ENERGY_PATH_MAX + 16];
    memset(root, 'a', sizeof(root) - 1);
    root[0] = '/';
    root[sizeof(root) - 1] = '\0';
    arch_energy_t e;
    cr_expect_eq(arch_energy_open_at(&e, root), -ENAMETOOLONG);
    cr_expect_str_neq(e.reason, "");
}
