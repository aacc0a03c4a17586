/*
 * Large-page allocation with fallback. Each attempt is a plain mmap; the
 * mapping size decides how munmap must be called, so we keep it.
 */
#define _GNU_SOURCE
#include "config.h"
#include "arch/pages.h"

#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/mman.h>

#ifndef MAP_HUGE_SHIFT
#define MAP_HUGE_SHIFT 26
#endif
#ifndef MAP_HUGE_2MB
#define MAP_HUGE_2MB (21 << MAP_HUGE_SHIFT)
#endif
#ifndef MAP_HUGE_1GB
#define MAP_HUGE_1GB (30 << MAP_HUGE_SHIFT)
#endif

#define SIZE_2M ((size_t)2 << 20)
#define SIZE_1G ((size_t)1 << 30)

static size_t round_up(size_t n, size_t unit)
{
    return (n + unit - 1) / unit * unit;
}

static void *map_hugetlb(size_t len, int size_flag)
{
    void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | size_flag, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

int arch_pages_process_huge(uint64_t *huge_bytes, uint64_t *resident_bytes)
{
    FILE *fp = fopen("/proc/self/smaps_rollup", "r");
    if (fp == NULL)
        return -1;
    uint64_t rss = 0, thp = 0, hugetlb = 0, kib = 0;
    int found = 0;
    char line[256];
    while (fgets(line, sizeof(line), fp) != NULL) {
        if (sscanf(line, "Rss: %" SCNu64, &kib) == 1) {
            rss = kib * 1024;
            found = 1;
        } else if (sscanf(line, "AnonHugePages: %" SCNu64, &kib) == 1) {
            thp = kib * 1024;
        } else if (sscanf(line, "Shared_Hugetlb: %" SCNu64, &kib) == 1 ||
                   sscanf(line, "Private_Hugetlb: %" SCNu64, &kib) == 1) {
            hugetlb += kib * 1024;
        }
    }
    fclose(fp);
    if (!found)
        return -1;
    *huge_bytes = thp + hugetlb;
    *resident_bytes = rss + hugetlb;
    return 0;
}

const char *arch_pages_thp_mode(void)
{
    static const char *const modes[] = {"always", "madvise", "never"};
    FILE *fp = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");
    if (fp == NULL)
        return "unknown";
    char line[128] = "";
    if (fgets(line, sizeof(line), fp) == NULL)
        line[0] = '\0';
    fclose(fp);
    /* The active mode is the bracketed word: "always [madvise] never". */
    for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
        char bracketed[16];
        snprintf(bracketed, sizeof(bracketed), "[%s]", modes[i]);
        if (strstr(line, bracketed) != NULL)
            return modes[i];
    }
    return "unknown";
}

/*
 * Maps normal pages, 2 MiB-aligned when big enough that THP could back
 * them: we over-map by one huge page and trim the ends.
 */
static void *map_normal(size_t len, int want_thp, arch_page_kind_t *kind)
{
    *kind = ARCH_PAGES_NORMAL;
    if (!want_thp || len < SIZE_2M) {
        void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED)
            return NULL;
        /* THP "always" backs any mapping with huge pages unless told not to: "4KB" must hold. */
        if (!want_thp && strcmp(arch_pages_thp_mode(), "always") == 0)
            (void)madvise(p, len, MADV_NOHUGEPAGE);
        return p;
    }
    size_t over = len + SIZE_2M;
    void *raw = mmap(NULL, over, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (raw == MAP_FAILED)
        return NULL;
    uintptr_t start = (uintptr_t)raw;
    uintptr_t aligned = (start + SIZE_2M - 1) & ~(uintptr_t)(SIZE_2M - 1);
    size_t head = aligned - start;
    size_t tail = over - head - len;
    if (head > 0)
        munmap(raw, head);
    if (tail > 0)
        munmap((void *)(aligned + len), tail);
    void *p = (void *)aligned;
    const char *mode = arch_pages_thp_mode();
    if (strcmp(mode, "never") != 0 && madvise(p, len, MADV_HUGEPAGE) == 0)
        *kind = ARCH_PAGES_THP;
    return p;
}

static _Atomic unsigned policy;

void arch_pages_set_policy(unsigned flags)
{
    policy = flags;
}

int arch_pages_alloc(arch_pages_t *out, size_t size, unsigned flags)
{
    memset(out, 0, sizeof(*out));
    if (size == 0)
        return -EINVAL;
    unsigned process_wide = policy;
    flags |= process_wide & ARCH_PAGES_NO_HUGE;
    if (size >= SIZE_1G)
        flags |= process_wide & ARCH_PAGES_TRY_1G;
    int allow_huge = !(flags & ARCH_PAGES_NO_HUGE);

    if (allow_huge && (flags & ARCH_PAGES_TRY_1G)) {
        size_t len = round_up(size, SIZE_1G);
        void *p = map_hugetlb(len, MAP_HUGE_1GB);
        if (p != NULL) {
            *out = (arch_pages_t){p, size, len, ARCH_PAGES_HUGE_1G};
            return 0;
        }
    }
    if (allow_huge) {
        size_t len = round_up(size, SIZE_2M);
        void *p = map_hugetlb(len, MAP_HUGE_2MB);
        if (p != NULL) {
            *out = (arch_pages_t){p, size, len, ARCH_PAGES_HUGE_2M};
            return 0;
        }
    }
    size_t page = 4096;
    size_t len = round_up(size, allow_huge && size >= SIZE_2M ? SIZE_2M : page);
    arch_page_kind_t kind;
    void *p = map_normal(len, allow_huge, &kind);
    if (p == NULL)
        return -ENOMEM;
    *out = (arch_pages_t){p, size, len, kind};
    return 0;
}

void arch_pages_free(arch_pages_t *pages)
{
    if (pages->ptr != NULL)
        munmap(pages->ptr, pages->mapped);
    memset(pages, 0, sizeof(*pages));
}

const char *arch_pages_kind_name(arch_page_kind_t kind)
{
    switch (kind) {
    case ARCH_PAGES_HUGE_1G:
        return "1GB";
    case ARCH_PAGES_HUGE_2M:
        return "2MB";
    case ARCH_PAGES_THP:
        return "THP";
    case ARCH_PAGES_NORMAL:
        break;
    }
    return "4KB";
}

static int read_ulong(const char *path, unsigned long *value)
{
    FILE *fp = fopen(path, "r");
    if (fp == NULL)
        return -errno;
    int ok = fscanf(fp, "%lu", value) == 1;
    fclose(fp);
    return ok ? 0 : -EIO;
}

int arch_pages_hugetlb_pool(size_t page_size, unsigned long *total, unsigned long *free_pages)
{
    char path[128];
    snprintf(path, sizeof(path), "/sys/kernel/mm/hugepages/hugepages-%zukB/nr_hugepages",
             page_size / 1024);
    int rc = read_ulong(path, total);
    if (rc != 0)
        return -ENOENT;
    snprintf(path, sizeof(path), "/sys/kernel/mm/hugepages/hugepages-%zukB/free_hugepages",
             page_size / 1024);
    rc = read_ulong(path, free_pages);
    return rc != 0 ? -ENOENT : 0;
}

size_t arch_pages_huge_bytes(const void *ptr, size_t len)
{
    FILE *fp = fopen("/proc/self/smaps", "r");
    if (fp == NULL)
        return 0;
    uintptr_t from = (uintptr_t)ptr, to = from + len;
    char line[512];
    int inside = 0;
    size_t huge = 0;
    while (fgets(line, sizeof(line), fp) != NULL) {
        uintptr_t start, end;
        /* A mapping's header line: "start-end perms offset dev inode path". */
        if (sscanf(line, "%" SCNxPTR "-%" SCNxPTR " ", &start, &end) == 2 && strchr(line, ' ')) {
            inside = start < to && end > from;
            continue;
        }
        unsigned long long kib;
        if (inside && sscanf(line, "AnonHugePages: %llu kB", &kib) == 1)
            huge += (size_t)kib * 1024;
    }
    fclose(fp);
    return huge;
}

double arch_pages_huge_share(const void *ptr, size_t len)
{
    if (len == 0)
        return 0;
    size_t huge = arch_pages_huge_bytes(ptr, len);
    return huge >= len ? 1.0 : (double)huge / (double)len;
}
