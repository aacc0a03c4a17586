/*
 * Fast mode's datasets (miner/rx_dataset_build.c): one per NUMA node the
 * workers run on, planned from the topology (hwloc synthetic machines with
 * two nodes, since this one may have one), copies that equal the computed
 * dataset, and a machine of one node keeping one dataset, not bound.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "miner/rx_dataset_build.h"
#include "pow/rx/randomx.h"
#include "pow/rx/variant.h"
#include "tests/support/machine.h"
#include "tests/support/sanitizers.h"

/* Two packages, a NUMA node each, two single-PU cores each: PUs 0-1 on node 0, 2-3 on node 1. */
#define TWO_NODES "pack:2 numa:1 core:2 pu:1"

static arch_topology_t *synthetic(const char *description)
{
    arch_topology_t *topo = NULL;
    cr_assert_eq(arch_topology_load_synthetic(description, &topo), 0, "%s", description);
    return topo;
}

Test(rx_dataset_build, numa_nodes_of_pus_come_from_the_topology)
{
    arch_topology_t *topo = synthetic(TWO_NODES);
    const int expected[] = {0, 0, 1, 1};
    for (int pu = 0; pu < 4; pu++)
        cr_expect_eq(arch_topology_pu_numa(topo, pu), expected[pu], "PU %d", pu);
    cr_expect_eq(arch_topology_pu_numa(topo, 9), -1, "an unknown PU has no node");
    cr_expect_eq(arch_topology_pu_numa(topo, -1), -1);
    arch_topology_free(topo);
}

Test(rx_dataset_build, a_bad_synthetic_description_is_refused)
{
    arch_topology_t *topo = NULL;
    cr_expect_eq(arch_topology_load_synthetic("not a machine", &topo), -EINVAL);
    cr_expect_null(topo);
}

Test(rx_dataset_build, plans_one_dataset_per_node_the_workers_run_on)
{
    arch_topology_t *topo = synthetic(TWO_NODES);
    miner_dataset_plan_t plan;
    const int pus[] = {0, 1, 2, 3};
    miner_plan_datasets(topo, pus, 4, &plan);
    cr_assert_eq(plan.count, 2);
    cr_expect_eq(plan.node[0], 0);
    cr_expect_eq(plan.node[1], 1);
    const uint8_t slots[] = {0, 0, 1, 1};
    for (int i = 0; i < 4; i++)
        cr_expect_eq(plan.slot[i], slots[i], "worker %d", i);

    /* The first worker's node comes first; workers on one node share its dataset. */
    const int reversed[] = {3, 0, 2};
    miner_plan_datasets(topo, reversed, 3, &plan);
    cr_assert_eq(plan.count, 2);
    cr_expect_eq(plan.node[0], 1);
    cr_expect_eq(plan.node[1], 0);
    cr_expect_eq(plan.slot[0], 0);
    cr_expect_eq(plan.slot[1], 1);
    cr_expect_eq(plan.slot[2], 0);
    arch_topology_free(topo);
}

Test(rx_dataset_build, workers_of_one_node_or_unpinned_share_one_dataset)
{
    arch_topology_t *topo = synthetic(TWO_NODES);
    miner_dataset_plan_t plan;
    const int one_node[] = {2, 3};
    miner_plan_datasets(topo, one_node, 2, &plan);
    cr_expect_eq(plan.count, 1);
    cr_expect_eq(plan.node[0], 1, "bound to the node the workers run on");

    const int unpinned[] = {-1, -1};
    miner_plan_datasets(topo, unpinned, 2, &plan);
    cr_expect_eq(plan.count, 1);
    cr_expect_eq(plan.node[0], -1, "no node to bind to");
    miner_plan_datasets(topo, NULL, 2, &plan);
    cr_expect_eq(plan.count, 1);
    arch_topology_free(topo);

    topo = synthetic("core:2 pu:1");
    const int pus[] = {0, 1};
    miner_plan_datasets(topo, pus, 2, &plan);
    cr_expect_eq(plan.count, 1);
    cr_expect_eq(plan.node[0], -1, "one node: nothing to bind");
    cr_expect_eq(plan.slot[0] | plan.slot[1], 0);
    arch_topology_free(topo);
}

Test(rx_dataset_build, a_copied_range_equals_the_computed_one, .timeout = 600)
{
    const pow_rx_variant_t *v = pow_rx_variant_find("rx/0");
    pow_rx_cache_t *cache = pow_rx_cache_alloc(v);
    cr_assert_not_null(cache);
    cr_assert_eq(pow_rx_cache_init(cache, "\0\0\0\0", 4), 0);
    pow_rx_dataset_t *computed = pow_rx_dataset_alloc(0), *copy = pow_rx_dataset_alloc(0);
    cr_assert(computed != NULL && copy != NULL);
    /* The last items too: the copy stops at the dataset's end. */
    uint64_t last = pow_rx_dataset_item_count() - 100;
    pow_rx_dataset_init(computed, cache, 1000, 200);
    pow_rx_dataset_init(computed, cache, last, 100);
    pow_rx_dataset_copy(copy, computed, 1000, 200);
    pow_rx_dataset_copy(copy, computed, last, 1000);
    size_t len_a, len_b;
    const uint8_t *a = pow_rx_dataset_memory(computed, &len_a);
    const uint8_t *b = pow_rx_dataset_memory(copy, &len_b);
    cr_assert_eq(len_a, len_b);
    cr_expect(memcmp(a + 1000 * 64, b + 1000 * 64, 200 * 64) == 0);
    cr_expect(memcmp(a + last * 64, b + last * 64, 100 * 64) == 0);
    uint8_t item[64];
    pow_rx_cache_dataset_item(cache, 1100, item);
    cr_expect(memcmp(b + 1100 * 64, item, 64) == 0, "the copy holds item 1100 itself");
    static const uint8_t zero[64];
    cr_expect(memcmp(b + 999 * 64, zero, 64) == 0, "items outside the range are not copied");
    pow_rx_dataset_release(computed);
    pow_rx_dataset_release(copy);
    pow_rx_cache_release(cache);
}

Test(slow_rx_dataset_build, two_nodes_get_two_equal_datasets, .timeout = 900)
{
#ifdef UNDER_SANITIZERS
    cr_skip_test("run in the optimised build only (two 2080 MiB datasets)");
#endif
    test_need_memory(TEST_RX_FAST_BYTES + ((uint64_t)2080 << 20), "two RandomX datasets");
    arch_topology_t *topo = synthetic(TWO_NODES);
    const pow_rx_variant_t *v = pow_rx_variant_find("rx/0");
    pow_rx_cache_t *cache = pow_rx_cache_alloc(v);
    cr_assert_not_null(cache);
    cr_assert_eq(pow_rx_cache_init(cache, "\0\0\0\0", 4), 0);
    const int pus[] = {0, 2};
    miner_dataset_plan_t plan;
    miner_plan_datasets(topo, pus, 2, &plan);
    cr_assert_eq(plan.count, 2);
    pow_rx_dataset_t *datasets[MINER_MAX_NODES];
    cr_assert_eq(miner_build_datasets(&plan, datasets, cache, 0, 2, topo, pus, NULL), 0);
    cr_assert(datasets[0] != NULL && datasets[1] != NULL);
    cr_expect_eq(plan.slot[1], 1, "the second worker reads its node's copy");
    size_t len;
    const uint8_t *a = pow_rx_dataset_memory(datasets[0], &len);
    const uint8_t *b = pow_rx_dataset_memory(datasets[1], &len);
    cr_expect(memcmp(a, b, len) == 0, "the copy equals the computed dataset");
    uint8_t item[64];
    uint64_t last = pow_rx_dataset_item_count() - 1;
    pow_rx_cache_dataset_item(cache, last, item);
    cr_expect(memcmp(b + last * 64, item, 64) == 0, "down to the last item");
    for (unsigned k = 0; k < plan.count; k++)
        pow_rx_dataset_release(datasets[k]);
    pow_rx_cache_release(cache);
    arch_topology_free(topo);
}
