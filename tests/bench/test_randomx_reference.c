/*
 * bench/randomx_reference.c against the real library (Debian librandomx0):
 * the pages it reports are those its hashes read. With a pool of huge
 * pages too small for the 256 MiB cache but enough for a scratchpad, the
 * cache falls back to default pages while the VM gets large ones, and a
 * light-mode comparison must say "default" (it said "2MB").
 */
#include <criterion/criterion.h>
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "arch/pages.h"
#include "bench/randomx_reference.h"
#include "tests/support/machine.h"

#define NR_HUGEPAGES "/proc/sys/vm/nr_hugepages"

Test(bench_randomx_reference, light_mode_reports_the_pages_of_the_cache_it_reads, .timeout = 120)
{
    if (geteuid() != 0)
        cr_skip_test("needs root to size " NR_HUGEPAGES);
    void *lib = dlopen("librandomx.so.0", RTLD_NOW | RTLD_LOCAL);
    if (lib == NULL)
        cr_skip_test("librandomx is not installed");
    dlclose(lib);
    test_lock_memory();
    long old = test_nr_hugepages();
    unsigned long total = 0, free_pages = 0;
    cr_assert_eq(arch_pages_hugetlb_pool((size_t)2 << 20, &total, &free_pages), 0);
    /* Four more free pages: room for scratchpads, not for 128 pages of cache. */
    long want = old + 4;
    cr_assert_eq(test_set_nr_hugepages(want), 0);
    cr_assert_eq(arch_pages_hugetlb_pool((size_t)2 << 20, &total, &free_pages), 0);
    if (free_pages < 1 || free_pages >= 128) {
        test_set_nr_hugepages(old);
        cr_skip_test("%lu free huge pages: not between a scratchpad and a cache", free_pages);
    }
    bench_randomx_ref_options_t o = {.hard_aes = 0, .jit = 0, .fast = 0, .large_pages = 1};
    bench_randomx_ref_t *ref = NULL;
    double cache_s, dataset_s;
    char why[256] = "";
    static const char key[] = "test key 000";
    int rc = bench_randomx_ref_open(&ref, &o, key, sizeof(key) - 1, &cache_s, &dataset_s, why,
                                    sizeof(why));
    const char *pages = rc == 0 ? bench_randomx_ref_pages(ref) : "";
    char seen[16];
    snprintf(seen, sizeof(seen), "%s", pages);
    bench_randomx_ref_close(ref);
    cr_assert_eq(test_set_nr_hugepages(old), 0, "could not restore nr_hugepages to %ld", old);
    cr_assert_eq(rc, 0, "%s", why);
    cr_expect_str_eq(seen, "default", "the cache fell back, yet the pages are said to be %s", seen);
}
