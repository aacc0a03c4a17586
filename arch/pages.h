/*
 * Large memory for scratchpads, caches and datasets.
 *
 * Hashing memory is touched at random, so the TLB decides much of the speed:
 * we try 1 GiB pages (only when asked), then 2 MiB hugetlb pages, then
 * transparent huge pages, then normal pages, and say which one we got.
 */
#ifndef MINEMETER_ARCH_PAGES_H
#define MINEMETER_ARCH_PAGES_H

#include <stddef.h>
#include <stdint.h>

typedef enum {
    ARCH_PAGES_NORMAL = 0, /* 4 KiB pages, THP not requested or disabled. */
    ARCH_PAGES_THP,        /* Normal mapping advised MADV_HUGEPAGE. */
    ARCH_PAGES_HUGE_2M,    /* MAP_HUGETLB with 2 MiB pages. */
    ARCH_PAGES_HUGE_1G,    /* MAP_HUGETLB with 1 GiB pages. */
} arch_page_kind_t;

enum {
    ARCH_PAGES_TRY_1G = 1u << 0,  /* Try 1 GiB pages first. */
    ARCH_PAGES_NO_HUGE = 1u << 1, /* Skip every kind of huge page. */
};

typedef struct {
    void *ptr;             /* Start of the usable memory, NULL when empty. */
    size_t size;           /* Bytes asked for. */
    size_t mapped;         /* Bytes mapped (size rounded up to the page). */
    arch_page_kind_t kind; /* What the kernel gave us. */
} arch_pages_t;

/*
 * Maps size bytes of zeroed, private, read-write memory. Returns 0, or
 * -ENOMEM when not even normal pages are available, -EINVAL for size 0.
 */
int arch_pages_alloc(arch_pages_t *out, size_t size, unsigned flags);

/* Unmaps memory from arch_pages_alloc; safe on a zeroed struct. */
void arch_pages_free(arch_pages_t *pages);

/*
 * The process's page policy (--huge-pages off, --1gb-pages), added to every
 * later allocation's flags: ARCH_PAGES_NO_HUGE to all of them,
 * ARCH_PAGES_TRY_1G to those of at least 1 GiB (the RandomX dataset).
 */
void arch_pages_set_policy(unsigned flags);

/* "1GB", "2MB", "THP" or "4KB": what a log line should say. */
const char *arch_pages_kind_name(arch_page_kind_t kind);

/*
 * Reads the kernel's pool of hugetlb pages of one size (2 MiB or 1 GiB).
 * Returns 0 and fills total and free, or -ENOENT when the kernel has no
 * pool of that size.
 */
int arch_pages_hugetlb_pool(size_t page_size, unsigned long *total, unsigned long *free_pages);

/*
 * How many bytes of the mappings overlapping [ptr, ptr + len) the kernel
 * backs with transparent huge pages now (AnonHugePages in
 * /proc/self/smaps): what "THP" really obtained. 0 when unreadable.
 */
size_t arch_pages_huge_bytes(const void *ptr, size_t len);

/*
 * arch_pages_huge_bytes as a share of len, 0..1 (smaps counts whole
 * mappings: a neighbour merged into ours can add to it, so it is capped).
 */
double arch_pages_huge_share(const void *ptr, size_t len);

/*
 * The whole process's resident memory and the part of it on huge pages
 * (transparent and hugetlb, from /proc/self/smaps_rollup; hugetlb pages
 * are not in Rss, so they are added to it). 0, or -1 when unreadable.
 */
int arch_pages_process_huge(uint64_t *huge_bytes, uint64_t *resident_bytes);

/* The kernel's transparent-huge-page mode: "always", "madvise", "never" or "unknown". */
const char *arch_pages_thp_mode(void);

#endif
