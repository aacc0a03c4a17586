/*
 * arch/topology.c against sysconf and /sys/devices/system/cpu, and pinning
 * checked with sched_getcpu.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arch/pages.h"
#include "arch/topology.h"

static arch_topology_t *topo;

static void load(void)
{
    cr_assert_eq(arch_topology_load(&topo), 0);
}

static void unload(void)
{
    arch_topology_free(topo);
}

TestSuite(arch_topology, .init = load, .fini = unload);

static int read_sys_int(int cpu, const char *leaf)
{
    char path[128];
    snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%d/topology/%s", cpu, leaf);
    FILE *fp = fopen(path, "r");
    cr_assert_not_null(fp, "cannot read %s", path);
    int value = -1;
    cr_assert_eq(fscanf(fp, "%d", &value), 1);
    fclose(fp);
    return value;
}

/*
 * hwloc leaves out the CPUs a cgroup cpuset forbids (a container started
 * with --cpuset-cpus), but not those outside the affinity mask (taskset):
 * so the PUs lie between the CPUs this process may run on and the CPUs
 * online, and every CPU it may run on is one of them.
 */
Test(arch_topology, pus_cover_the_allowed_cpus_and_no_more_than_are_online)
{
    long online = sysconf(_SC_NPROCESSORS_ONLN);
    unsigned pus = arch_topology_count(topo, ARCH_TOPO_PU);
    cpu_set_t allowed;
    cr_assert_eq(sched_getaffinity(0, sizeof(allowed), &allowed), 0);
    cr_expect_leq(pus, (unsigned)online);
    cr_expect_geq(pus, (unsigned)CPU_COUNT(&allowed));
    for (int cpu = 0; cpu < CPU_SETSIZE; cpu++) {
        if (!CPU_ISSET((size_t)cpu, &allowed))
            continue;
        int found = 0;
        for (unsigned i = 0; i < pus && !found; i++)
            found = arch_topology_pu_os_index(topo, i) == cpu;
        cr_expect(found, "CPU %d may run this process but is no PU of the topology", cpu);
    }
}

/* Cores and packages of the PUs hwloc reports, as sysfs numbers them (not always 0..n-1). */
Test(arch_topology, core_and_package_counts_match_sysfs)
{
    unsigned pus = arch_topology_count(topo, ARCH_TOPO_PU);
    int packages[1024], cores[1024][2];
    unsigned npackages = 0, ncores = 0;
    cr_assert_lt(pus, 1024);
    for (unsigned p = 0; p < pus; p++) {
        int cpu = arch_topology_pu_os_index(topo, p);
        cr_assert_geq(cpu, 0);
        int pkg = read_sys_int(cpu, "physical_package_id");
        int core = read_sys_int(cpu, "core_id");
        unsigned i;
        for (i = 0; i < npackages && packages[i] != pkg; i++) {
        }
        if (i == npackages)
            packages[npackages++] = pkg;
        for (i = 0; i < ncores && !(cores[i][0] == pkg && cores[i][1] == core); i++) {
        }
        if (i == ncores) {
            cores[ncores][0] = pkg;
            cores[ncores][1] = core;
            ncores++;
        }
    }
    cr_expect_eq(arch_topology_count(topo, ARCH_TOPO_PACKAGE), npackages);
    cr_expect_eq(arch_topology_count(topo, ARCH_TOPO_CORE), ncores);
    cr_expect_geq(arch_topology_count(topo, ARCH_TOPO_NUMA), 1);
}

/* The first L2 hwloc lists is the first PU's (cpu0 may be outside this process's cpuset). */
Test(arch_topology, l2_size_of_the_first_pu_matches_sysfs)
{
    int cpu = arch_topology_pu_os_index(topo, 0);
    cr_assert_geq(cpu, 0);
    long sys_size_kib = -1;
    for (int index = 0; index < 8 && sys_size_kib < 0; index++) {
        char path[128], buf[64];
        snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%d/cache/index%d/level", cpu,
                 index);
        FILE *fp = fopen(path, "r");
        if (fp == NULL)
            break;
        int level = 0;
        if (fscanf(fp, "%d", &level) != 1)
            level = 0;
        fclose(fp);
        if (level != 2)
            continue;
        snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%d/cache/index%d/size", cpu,
                 index);
        fp = fopen(path, "r");
        cr_assert_not_null(fp);
        cr_assert_not_null(fgets(buf, sizeof(buf), fp));
        fclose(fp);
        sys_size_kib = strtol(buf, NULL, 10);
    }
    if (sys_size_kib < 0)
        cr_skip_test("the kernel reports no L2 cache for cpu%d", cpu);

    arch_cache_t caches[256];
    size_t n = arch_topology_caches(topo, caches, 256);
    int found = 0;
    for (size_t i = 0; i < n && i < 256; i++) {
        if (caches[i].level == 2 && caches[i].type != 'i') {
            cr_expect_eq(caches[i].size, (uint64_t)sys_size_kib * 1024, "L2 %llu vs sysfs %ld KiB",
                         (unsigned long long)caches[i].size, sys_size_kib);
            cr_expect_gt(caches[i].pu_count, 0);
            cr_expect_str_neq(caches[i].pus, "");
            found = 1;
            break;
        }
    }
    cr_assert(found, "hwloc reports no L2 although sysfs does");
}

Test(arch_topology, pinned_thread_runs_on_that_pu)
{
    cpu_set_t allowed;
    cr_assert_eq(sched_getaffinity(0, sizeof(allowed), &allowed), 0);
    unsigned pus = arch_topology_count(topo, ARCH_TOPO_PU);
    unsigned tried = 0;
    for (unsigned i = 0; i < pus; i++) {
        int pu = arch_topology_pu_os_index(topo, i);
        cr_assert_geq(pu, 0);
        if (!CPU_ISSET((size_t)pu, &allowed))
            continue;
        arch_pin_kind_t kind;
        cr_assert_eq(arch_topology_pin_thread(topo, (unsigned)pu, &kind), 0, "pin to PU %d", pu);
        for (int k = 0; k < 20; k++) {
            sched_yield();
            cr_assert_eq(sched_getcpu(), pu, "pinned to %d, running on %d", pu, sched_getcpu());
        }
        tried++;
    }
    cr_assert_gt(tried, 0, "no PU this process may run on");
}

Test(arch_topology, pin_to_missing_pu_is_refused)
{
    arch_pin_kind_t kind;
    cr_assert_eq(arch_topology_pin_thread(topo, 1u << 20, &kind), -EINVAL);
}

Test(arch_topology, memory_binds_to_numa_node_zero)
{
    arch_pages_t pages;
    cr_assert_eq(arch_pages_alloc(&pages, 1 << 20, ARCH_PAGES_NO_HUGE), 0);
    cr_expect_eq(arch_topology_bind_memory(topo, pages.ptr, pages.mapped, 0), 0);
    memset(pages.ptr, 1, pages.size);
    cr_expect_eq(arch_topology_bind_memory(topo, pages.ptr, pages.mapped, 4096), -EINVAL);
    arch_pages_free(&pages);
}

Test(arch_topology, every_core_has_a_first_pu)
{
    unsigned cores = arch_topology_count(topo, ARCH_TOPO_CORE);
    for (unsigned i = 0; i < cores; i++)
        cr_expect_geq(arch_topology_core_first_pu(topo, i), 0, "core %u", i);
    cr_expect_eq(arch_topology_core_first_pu(topo, cores + 1000), -1);
}
