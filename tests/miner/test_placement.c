/*
 * miner/placement.c: thread counts from the caches, and where threads are
 * pinned for each --pin mode and --affinity list, on this machine's real
 * topology.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>

#include "miner/placement.h"

static arch_topology_t *topo;

static void load(void)
{
    cr_assert_eq(arch_topology_load(&topo), 0);
}

static void unload(void)
{
    arch_topology_free(topo);
}

TestSuite(miner_placement, .init = load, .fini = unload);

Test(miner_placement, default_threads_stay_between_one_and_the_cores)
{
    unsigned cores = arch_topology_count(topo, ARCH_TOPO_CORE);
    unsigned n = miner_default_threads(topo, (size_t)2 << 20);
    cr_expect(n >= 1 && n <= cores, "%u threads for %u cores", n, cores);
    /* Nothing fits when each thread needs more cache than any L3 has: still one thread. */
    cr_expect_eq(miner_default_threads(topo, (size_t)1 << 40), 1);
    /* Needing nothing, every core gets a thread. */
    cr_expect_eq(miner_default_threads(topo, 1), cores);
}

Test(miner_placement, core_mode_puts_one_thread_per_core_first)
{
    unsigned cores = arch_topology_count(topo, ARCH_TOPO_CORE);
    int pus[64];
    cr_assert_eq(miner_place_threads(topo, MINER_PIN_CORE, NULL, cores, pus), 0);
    for (unsigned c = 0; c < cores && c < 64; c++)
        cr_expect_eq(pus[c], arch_topology_core_first_pu(topo, c), "thread %u", c);
}

Test(miner_placement, pu_mode_follows_topology_order_and_none_leaves_threads_free)
{
    unsigned total = arch_topology_count(topo, ARCH_TOPO_PU);
    int pus[64];
    cr_assert_eq(miner_place_threads(topo, MINER_PIN_PU, NULL, total, pus), 0);
    for (unsigned i = 0; i < total && i < 64; i++)
        cr_expect_eq(pus[i], arch_topology_pu_os_index(topo, i));
    cr_assert_eq(miner_place_threads(topo, MINER_PIN_NONE, NULL, 3, pus), 0);
    for (int i = 0; i < 3; i++)
        cr_expect_eq(pus[i], -1);
}

Test(miner_placement, affinity_lists_are_used_in_order_and_cyclically)
{
    /* The first and last PUs this machine gives us: in a cpuset, cpu0 may not be one. */
    int pus[5];
    unsigned count = arch_topology_count(topo, ARCH_TOPO_PU);
    int first = arch_topology_pu_os_index(topo, 0);
    int last = arch_topology_pu_os_index(topo, count - 1);
    char list[32];
    snprintf(list, sizeof(list), "%d,%d", last, first);
    cr_assert_eq(miner_place_threads(topo, MINER_PIN_CORE, list, 5, pus), 0, "%s", list);
    int want[5] = {last, first, last, first, last};
    cr_expect_arr_eq(pus, want, sizeof(want));
    if ((unsigned)(last - first + 1) != count)
        return; /* the PUs are not one range of numbers here */
    snprintf(list, sizeof(list), "%d-%d", first, last);
    cr_assert_eq(miner_place_threads(topo, MINER_PIN_NONE, list, 2, pus), 0, "%s", list);
    cr_expect_eq(pus[0], first);
}

Test(miner_placement, bad_affinity_lists_and_modes_are_refused)
{
    int pus[4];
    const char *bad[] = {"", "x", "1-", "3-1", "0,,1", "0,", "-1", "99999"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        cr_expect_eq(miner_place_threads(topo, MINER_PIN_CORE, bad[i], 4, pus), -EINVAL, "'%s'",
                     bad[i]);
    miner_pin_mode_t mode;
    cr_expect_eq(miner_pin_mode_from_name("socket", &mode), -1);
    cr_expect_eq(miner_pin_mode_from_name("pu", &mode), 0);
    cr_expect_eq(mode, MINER_PIN_PU);
}
