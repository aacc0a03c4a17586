/*
 * arch/memory.c: the room of this process on this machine, and on made-up
 * machines (fake /proc and /sys trees) with cgroup v2 and v1 limits, a
 * parent's limit tighter than the child's, "max" and v1's near-2^63 "no
 * limit", page cache counted as room, and usage over the limit. File names
 * follow the kernel's cgroup-v2.rst and cgroup-v1/memory.rst.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "arch/memory.h"
#include "arch/pages.h"
#include "tests/support/fake_tree.h"

#define MIB ((uint64_t)1 << 20)

/* A machine with 8 GiB available. */
static void fake_meminfo(void)
{
    fake_tree_write("proc/meminfo", "MemTotal:       16000000 kB\n"
                                    "MemFree:         1000000 kB\n"
                                    "MemAvailable:    8388608 kB\n");
}

static arch_memory_t read_fake(void)
{
    arch_memory_t m;
    cr_assert_eq(arch_memory_read_at(&m, fake_tree_root), 0);
    return m;
}

TestSuite(arch_memory, .init = fake_tree_make, .fini = fake_tree_remove);

Test(arch_memory, without_a_cgroup_limit_the_room_is_mem_available)
{
    fake_meminfo();
    fake_tree_write("proc/self/cgroup", "0::/user.slice\n");
    fake_tree_write("sys/fs/cgroup/user.slice/memory.max", "max\n");
    fake_tree_write("sys/fs/cgroup/user.slice/memory.current", "123456789\n");
    arch_memory_t m = read_fake();
    cr_expect_eq(m.mem_available, 8192 * MIB);
    cr_expect_eq(m.available, 8192 * MIB);
    cr_expect_eq(m.cgroup_room, ARCH_MEMORY_UNLIMITED);
    cr_expect_eq(m.cgroup_limit, ARCH_MEMORY_UNLIMITED);
    cr_expect_str_eq(m.cgroup, "");
}

Test(arch_memory, a_v2_limit_less_its_usage_bounds_the_room)
{
    fake_meminfo();
    fake_tree_write("proc/self/cgroup", "0::/lab/miner\n");
    fake_tree_write("sys/fs/cgroup/lab/miner/memory.max", "4294967296\n");
    fake_tree_write("sys/fs/cgroup/lab/miner/memory.current", "1073741824\n");
    /* 256 MiB of it is inactive page cache, reclaimed before an OOM kill. */
    fake_tree_write("sys/fs/cgroup/lab/miner/memory.stat",
                    "anon 805306368\nactive_file 1\ninactive_file 268435456\n");
    arch_memory_t m = read_fake();
    cr_expect_eq(m.cgroup_limit, 4096 * MIB);
    cr_expect_eq(m.cgroup_room, (4096 - 1024 + 256) * MIB);
    cr_expect_eq(m.available, m.cgroup_room);
    cr_expect_str_eq(m.cgroup, "/lab/miner");
}

Test(arch_memory, a_parents_tighter_limit_wins)
{
    fake_meminfo();
    fake_tree_write("proc/self/cgroup", "0::/lab/miner\n");
    fake_tree_write("sys/fs/cgroup/lab/memory.max", "2147483648\n");
    fake_tree_write("sys/fs/cgroup/lab/memory.current", "1073741824\n");
    fake_tree_write("sys/fs/cgroup/lab/miner/memory.max", "4294967296\n");
    fake_tree_write("sys/fs/cgroup/lab/miner/memory.current", "0\n");
    arch_memory_t m = read_fake();
    cr_expect_eq(m.cgroup_room, 1024 * MIB);
    cr_expect_eq(m.cgroup_limit, 2048 * MIB);
    cr_expect_str_eq(m.cgroup, "/lab");
}

Test(arch_memory, a_container_s_own_root_limit_counts)
{
    /* In a cgroup namespace the process sees itself at "/", the limit on the mount's root. */
    fake_meminfo();
    fake_tree_write("proc/self/cgroup", "0::/\n");
    fake_tree_write("sys/fs/cgroup/memory.max", "1073741824\n");
    fake_tree_write("sys/fs/cgroup/memory.current", "536870912\n");
    arch_memory_t m = read_fake();
    cr_expect_eq(m.available, 512 * MIB);
    cr_expect_str_eq(m.cgroup, "/");
}

Test(arch_memory, a_v1_memory_controller_in_a_shared_hierarchy_is_read)
{
    fake_meminfo();
    fake_tree_write("proc/self/cgroup", "5:cpu,cpuacct:/\n"
                                        "4:memory,hugetlb:/jobs/7\n"
                                        "1:name=systemd:/\n"
                                        "0::/\n");
    fake_tree_write("sys/fs/cgroup/memory/memory.limit_in_bytes", "9223372036854771712\n");
    fake_tree_write("sys/fs/cgroup/memory/jobs/7/memory.limit_in_bytes", "3221225472\n");
    fake_tree_write("sys/fs/cgroup/memory/jobs/7/memory.usage_in_bytes", "2147483648\n");
    fake_tree_write("sys/fs/cgroup/memory/jobs/7/memory.stat",
                    "cache 1\ninactive_file 2\ntotal_inactive_file 1073741824\n");
    arch_memory_t m = read_fake();
    cr_expect_eq(m.cgroup_limit, 3072 * MIB);
    cr_expect_eq(m.cgroup_room, 2048 * MIB, "total_inactive_file, not inactive_file, in v1");
    cr_expect_str_eq(m.cgroup, "/jobs/7");
}

Test(arch_memory, v1_s_no_limit_value_is_no_limit)
{
    fake_meminfo();
    fake_tree_write("proc/self/cgroup", "4:memory:/\n");
    fake_tree_write("sys/fs/cgroup/memory/memory.limit_in_bytes", "9223372036854771712\n");
    fake_tree_write("sys/fs/cgroup/memory/memory.usage_in_bytes", "1000\n");
    arch_memory_t m = read_fake();
    cr_expect_eq(m.cgroup_limit, ARCH_MEMORY_UNLIMITED);
    cr_expect_eq(m.available, 8192 * MIB);
}

Test(arch_memory, usage_over_the_limit_leaves_no_room)
{
    fake_meminfo();
    fake_tree_write("proc/self/cgroup", "0::/full\n");
    fake_tree_write("sys/fs/cgroup/full/memory.max", "1048576\n");
    fake_tree_write("sys/fs/cgroup/full/memory.current", "2097152\n");
    arch_memory_t m = read_fake();
    cr_expect_eq(m.available, 0);
    cr_expect_eq(m.cgroup_limit, MIB);
}

Test(arch_memory, hybrid_v2_under_unified_is_read_too)
{
    fake_meminfo();
    fake_tree_write("proc/self/cgroup", "0::/box\n");
    fake_tree_write("sys/fs/cgroup/unified/box/memory.max", "3145728\n");
    fake_tree_write("sys/fs/cgroup/unified/box/memory.current", "1048576\n");
    arch_memory_t m = read_fake();
    cr_expect_eq(m.available, 2 * MIB);
}

Test(arch_memory, no_meminfo_is_not_found)
{
    arch_memory_t m;
    cr_expect_eq(arch_memory_read_at(&m, fake_tree_root), -ENOENT);
    cr_expect_eq(m.available, 0);
}

Test(arch_memory, this_machine_has_room_no_larger_than_its_memory)
{
    arch_memory_t m;
    cr_assert_eq(arch_memory_read(&m), 0);
    FILE *fp = fopen("/proc/meminfo", "r");
    cr_assert_not_null(fp);
    unsigned long long total_kib = 0;
    cr_assert_eq(fscanf(fp, "MemTotal: %llu kB", &total_kib), 1);
    fclose(fp);
    cr_expect_gt(m.mem_available, 0);
    cr_expect_leq(m.mem_available, (uint64_t)total_kib * 1024);
    cr_expect_leq(m.available, m.mem_available);
    cr_expect_leq(m.available, m.cgroup_room);
    if (m.cgroup_limit != ARCH_MEMORY_UNLIMITED)
        cr_log_info("bound by cgroup %s: limit %llu MiB, room %llu MiB", m.cgroup,
                    (unsigned long long)(m.cgroup_limit >> 20),
                    (unsigned long long)(m.cgroup_room >> 20));
}

/* The sentence names the need and the limit that refuses it. */
Test(arch_memory, fits_says_what_is_needed_and_what_limits_it)
{
    fake_meminfo();
    fake_tree_write("proc/self/cgroup", "0::/lab\n");
    fake_tree_write("sys/fs/cgroup/lab/memory.max", "1073741824\n");
    fake_tree_write("sys/fs/cgroup/lab/memory.current", "0\n");
    setenv("MINEMETER_TEST_MEMORY_ROOT", fake_tree_root, 1);
    char why[256] = "";
    cr_expect_eq(arch_memory_fits(512 * MIB, "the cache", why, sizeof(why)), 1);
    cr_expect_str_eq(why, "the cache needs 512 MiB, and cgroup /lab allows this process 1024 MiB "
                          "more (its limit is 1024 MiB)",
                     "a fit says what room took it");
    unsigned long total = 0, free_pages = 0;
    if (arch_pages_hugetlb_pool((size_t)2 << 20, &total, &free_pages) == 0 && free_pages >= 1024)
        cr_skip_test("%lu free huge pages would take the 2 GiB asked for", free_pages);
    cr_expect_eq(arch_memory_fits(2048 * MIB, "the dataset", why, sizeof(why)), 0);
    cr_expect_str_eq(why, "the dataset needs 2048 MiB, and cgroup /lab allows this process 1024 "
                          "MiB more (its limit is 1024 MiB)");
    fake_tree_write("sys/fs/cgroup/lab/memory.max", "max\n");
    cr_expect_eq(arch_memory_fits(9000 * MIB, "the dataset", why, sizeof(why)), 0);
    cr_expect_str_eq(why, "the dataset needs 9000 MiB, and the kernel has 8192 MiB available");
    unsetenv("MINEMETER_TEST_MEMORY_ROOT");
}
