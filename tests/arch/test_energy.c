/*
 * arch/energy.c: finds a counter when the kernel offers one, explains
 * itself when it does not, and a readable counter only goes up.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <glob.h>
#include <unistd.h>

#include "arch/energy.h"

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
