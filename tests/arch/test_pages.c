/*
 * arch/pages.c: fallback without reserved huge pages, hugetlb pages when
 * some are reserved (the test reserves them through /proc when root and
 * restores the old value), and the memory is usable in every case.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "arch/pages.h"
#include "tests/support/machine.h"

#define NR_HUGEPAGES "/proc/sys/vm/nr_hugepages"
#define TWO_MIB      ((size_t)2 << 20)

static void check_usable(const arch_pages_t *p)
{
    cr_assert_not_null(p->ptr);
    cr_assert_geq(p->mapped, p->size);
    const unsigned char *bytes = p->ptr;
    for (size_t i = 0; i < p->size; i += 4096)
        cr_assert_eq(bytes[i], 0, "fresh memory is not zero at %zu", i);
    memset(p->ptr, 0xa5, p->size);
    cr_assert_eq(bytes[p->size - 1], 0xa5);
}

Test(arch_pages, falls_back_then_uses_reserved_hugetlb_pages)
{
    if (geteuid() != 0)
        cr_skip_test("needs root to change " NR_HUGEPAGES);
    test_lock_memory(); /* no other test changes the pool or counts on it meanwhile */
    long old = test_nr_hugepages();
    unsigned long total = 0, free_pages = 0;

    /* No pages reserved: we must get THP or normal pages, and they work. */
    cr_assert_eq(test_set_nr_hugepages(0), 0);
    cr_assert_eq(arch_pages_hugetlb_pool(TWO_MIB, &total, &free_pages), 0);
    arch_pages_t p;
    int rc = arch_pages_alloc(&p, 3 * TWO_MIB, 0);
    if (total == 0) {
        cr_expect_eq(rc, 0);
        cr_expect(p.kind == ARCH_PAGES_NORMAL || p.kind == ARCH_PAGES_THP, "got %s",
                  arch_pages_kind_name(p.kind));
        check_usable(&p);
        arch_pages_free(&p);
    } else {
        arch_pages_free(&p);
    }

    /* A few reserved: the next allocation must come from them. */
    int set = test_set_nr_hugepages(old + 4);
    cr_assert_eq(set, 0);
    cr_assert_eq(arch_pages_hugetlb_pool(TWO_MIB, &total, &free_pages), 0);
    if (free_pages >= 2) {
        rc = arch_pages_alloc(&p, TWO_MIB + 1, 0);
        cr_expect_eq(rc, 0);
        cr_expect_eq(p.kind, ARCH_PAGES_HUGE_2M, "got %s with %lu free",
                     arch_pages_kind_name(p.kind), free_pages);
        cr_expect_eq(p.mapped, 2 * TWO_MIB);
        check_usable(&p);
        arch_pages_free(&p);
    }
    cr_assert_eq(test_set_nr_hugepages(old), 0, "could not restore nr_hugepages to %ld", old);
    cr_assert_geq(free_pages, 2, "reserved 4 huge pages but only %lu are free", free_pages);
}

Test(arch_pages, no_huge_flag_gives_normal_pages)
{
    arch_pages_t p;
    cr_assert_eq(arch_pages_alloc(&p, 5 * 4096 + 1, ARCH_PAGES_NO_HUGE), 0);
    cr_expect_eq(p.kind, ARCH_PAGES_NORMAL);
    cr_expect_eq(p.mapped, 6 * 4096);
    check_usable(&p);
    arch_pages_free(&p);
    cr_expect_null(p.ptr);
}

Test(arch_pages, thp_mapping_is_huge_page_aligned)
{
    if (strcmp(arch_pages_thp_mode(), "never") == 0)
        cr_skip_test("transparent huge pages are disabled on this machine");
    arch_pages_t p;
    /* Ask for huge pages but skip hugetlb by needing more than any small pool. */
    cr_assert_eq(arch_pages_alloc(&p, 3 * TWO_MIB, 0), 0);
    if (p.kind == ARCH_PAGES_THP)
        cr_expect_eq((uintptr_t)p.ptr % TWO_MIB, 0);
    check_usable(&p);
    arch_pages_free(&p);
}

Test(arch_pages, zero_size_is_refused_and_free_of_empty_is_safe)
{
    arch_pages_t p;
    cr_assert_eq(arch_pages_alloc(&p, 0, 0), -EINVAL);
    cr_assert_null(p.ptr);
    arch_pages_free(&p);
}

Test(arch_pages, kind_names_are_what_logs_print)
{
    cr_expect_str_eq(arch_pages_kind_name(ARCH_PAGES_HUGE_1G), "1GB");
    cr_expect_str_eq(arch_pages_kind_name(ARCH_PAGES_HUGE_2M), "2MB");
    cr_expect_str_eq(arch_pages_kind_name(ARCH_PAGES_THP), "THP");
    cr_expect_str_eq(arch_pages_kind_name(ARCH_PAGES_NORMAL), "4KB");
}

Test(arch_pages, thp_mode_matches_sysfs)
{
    FILE *fp = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");
    if (fp == NULL) {
        cr_expect_str_eq(arch_pages_thp_mode(), "unknown");
        return;
    }
    char line[128];
    cr_assert_not_null(fgets(line, sizeof(line), fp));
    fclose(fp);
    char bracketed[32];
    snprintf(bracketed, sizeof(bracketed), "[%s]", arch_pages_thp_mode());
    cr_expect_not_null(strstr(line, bracketed), "mode %s not in '%s'", arch_pages_thp_mode(), line);
}

Test(arch_pages, the_process_policy_turns_huge_pages_off_everywhere)
{
    arch_pages_set_policy(ARCH_PAGES_NO_HUGE);
    arch_pages_t p;
    cr_assert_eq(arch_pages_alloc(&p, 4u << 20, 0), 0);
    cr_expect_eq(p.kind, ARCH_PAGES_NORMAL, "got %s", arch_pages_kind_name(p.kind));
    arch_pages_free(&p);
    arch_pages_set_policy(0);
    cr_assert_eq(arch_pages_alloc(&p, 4u << 20, 0), 0);
    if (strcmp(arch_pages_thp_mode(), "never") != 0)
        cr_expect_neq(p.kind, ARCH_PAGES_NORMAL, "huge pages are back once the policy is lifted");
    arch_pages_free(&p);
}

/*
 * What the kernel really backs with huge pages (AnonHugePages): none of a
 * mapping made without huge pages, even when THP is "always" (it backs
 * every mapping unless told not to, and the label says 4KB); never more
 * than the mapping.
 */
Test(arch_pages, huge_bytes_are_what_the_kernel_backs_and_none_without_huge_pages)
{
    arch_pages_t normal, thp;
    cr_assert_eq(arch_pages_alloc(&normal, 8 * TWO_MIB, ARCH_PAGES_NO_HUGE), 0);
    memset(normal.ptr, 1, normal.size);
    cr_expect_eq(arch_pages_huge_bytes(normal.ptr, normal.mapped), 0,
                 "a 4KB mapping backed by huge pages under THP %s", arch_pages_thp_mode());
    cr_assert_eq(arch_pages_alloc(&thp, 8 * TWO_MIB, 0), 0);
    memset(thp.ptr, 1, thp.size);
    size_t huge = arch_pages_huge_bytes(thp.ptr, thp.mapped);
    cr_expect_leq(huge, thp.mapped);
    if (thp.kind != ARCH_PAGES_THP)
        cr_expect_eq(huge, 0, "%s pages are not THP", arch_pages_kind_name(thp.kind));
    cr_log_info("THP %s: %zu of %zu bytes on huge pages", arch_pages_thp_mode(), huge, thp.mapped);
    arch_pages_free(&normal);
    arch_pages_free(&thp);
}

Test(arch_pages, the_process_totals_count_what_it_touches_and_its_huge_pages)
{
    uint64_t huge0 = 0, rss0 = 0, huge1 = 0, rss1 = 0;
    cr_assert_eq(arch_pages_process_huge(&huge0, &rss0), 0, "smaps_rollup is unreadable");
    arch_pages_t thp;
    cr_assert_eq(arch_pages_alloc(&thp, 32 * TWO_MIB, 0), 0);
    memset(thp.ptr, 1, thp.size);
    cr_assert_eq(arch_pages_process_huge(&huge1, &rss1), 0);
    cr_expect_geq(rss1, rss0 + thp.size - TWO_MIB, "64 MiB touched: resident %llu -> %llu",
                  (unsigned long long)rss0, (unsigned long long)rss1);
    cr_expect_leq(huge1, rss1);
    size_t here = arch_pages_huge_bytes(thp.ptr, thp.mapped);
    cr_expect_geq(huge1, here, "the process counts at least this mapping's huge pages");
    cr_log_info("%s pages: %llu of %llu resident bytes on huge pages",
                arch_pages_kind_name(thp.kind), (unsigned long long)huge1,
                (unsigned long long)rss1);
    arch_pages_free(&thp);
}
