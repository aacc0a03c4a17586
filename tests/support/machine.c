#define _GNU_SOURCE
#include "tests/support/machine.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/file.h>
#include <unistd.h>

#include "arch/memory.h"
#include "arch/pages.h"
#include "tests/support/fake_tree.h"

#define MEMORY_LOCK "/tmp/minemeter-tests-memory.lock"

#define NR_HUGEPAGES "/proc/sys/vm/nr_hugepages"

long test_nr_hugepages(void)
{
    FILE *fp = fopen(NR_HUGEPAGES, "r");
    cr_assert_not_null(fp, "cannot read " NR_HUGEPAGES);
    long n = -1;
    cr_assert_eq(fscanf(fp, "%ld", &n), 1);
    fclose(fp);
    return n;
}

int test_set_nr_hugepages(long n)
{
    FILE *fp = fopen(NR_HUGEPAGES, "w");
    if (fp == NULL)
        return -errno;
    int ok = fprintf(fp, "%ld\n", n) > 0;
    ok = (fclose(fp) == 0) && ok;
    return ok ? 0 : -EIO;
}

void test_low_memory_begin(unsigned mib)
{
    unsigned long total = 0, free_pages = 0;
    if (arch_pages_hugetlb_pool((size_t)2 << 20, &total, &free_pages) == 0 && free_pages >= 1040)
        cr_skip_test("%lu free huge pages would hold the dataset whatever the memory", free_pages);
    fake_tree_make();
    char meminfo[96];
    snprintf(meminfo, sizeof(meminfo), "MemTotal: %u kB\nMemAvailable: %u kB\n", 2 * mib * 1024,
             mib * 1024);
    fake_tree_write("proc/meminfo", meminfo);
    setenv("MINEMETER_TEST_MEMORY_ROOT", fake_tree_root, 1);
}

void test_low_memory_end(void)
{
    unsetenv("MINEMETER_TEST_MEMORY_ROOT");
    fake_tree_remove();
}

unsigned test_cpus_allowed(void)
{
    cpu_set_t set;
    cr_assert_eq(sched_getaffinity(0, sizeof(set), &set), 0);
    return (unsigned)CPU_COUNT(&set);
}

const char *test_threads_arg(void)
{
    return test_cpus_allowed() >= 2 ? "2" : "1";
}

void test_lock_memory(void)
{
    /* Read-only, so that another user's lock file serves as well: flock needs no write access. */
    int fd = open(MEMORY_LOCK, O_RDONLY | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
        fd = open(MEMORY_LOCK, O_RDONLY | O_CLOEXEC);
    cr_assert_geq(fd, 0, "cannot open " MEMORY_LOCK);
    cr_assert_eq(flock(fd, LOCK_EX), 0);
    /* The descriptor stays open: the lock ends with this test's process. */
}

void test_need_memory(uint64_t bytes, const char *what)
{
    test_lock_memory();
    char why[256];
    if (!arch_memory_fits(bytes, what, why, sizeof(why)))
        cr_skip_test("%s", why);
}
