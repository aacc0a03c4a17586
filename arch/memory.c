/*
 * The memory room of this process: MemAvailable and its cgroups' limits.
 * Layouts follow the kernel's Documentation/admin-guide/cgroup-v2.rst
 * (memory.max, memory.current, memory.stat) and cgroup-v1/memory.rst
 * (memory.limit_in_bytes, memory.usage_in_bytes, total_inactive_file).
 */
#include "arch/memory.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch/pages.h"

#define PATH_CAP 512

/* A limit at or above this is the kernel's way of saying "none" (v1 writes 2^63 - 4096). */
#define NO_LIMIT_FROM ((uint64_t)1 << 62)

/* Reads one unsigned number, or "max", from a file. Returns 0, or -ENOENT. */
static int read_u64(const char *path, uint64_t *out)
{
    FILE *fp = fopen(path, "r");
    if (fp == NULL)
        return -ENOENT;
    char text[64] = "";
    int ok = fgets(text, sizeof(text), fp) != NULL;
    fclose(fp);
    if (!ok)
        return -ENOENT;
    if (strncmp(text, "max", 3) == 0) {
        *out = ARCH_MEMORY_UNLIMITED;
        return 0;
    }
    char *end;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 10);
    if (end == text || errno != 0)
        return -ENOENT;
    *out = v >= NO_LIMIT_FROM ? ARCH_MEMORY_UNLIMITED : (uint64_t)v;
    return 0;
}

/* The value of "key N" in a memory.stat file, 0 when absent. */
static uint64_t stat_value(const char *path, const char *key)
{
    FILE *fp = fopen(path, "r");
    if (fp == NULL)
        return 0;
    char line[256];
    uint64_t value = 0;
    size_t len = strlen(key);
    while (fgets(line, sizeof(line), fp) != NULL) {
        if (strncmp(line, key, len) == 0 && line[len] == ' ') {
            value = strtoull(line + len + 1, NULL, 10);
            break;
        }
    }
    fclose(fp);
    return value;
}

static int read_mem_available(const char *root, uint64_t *bytes)
{
    char path[PATH_CAP];
    snprintf(path, sizeof(path), "%s/proc/meminfo", root);
    FILE *fp = fopen(path, "r");
    if (fp == NULL)
        return -ENOENT;
    char line[256];
    int found = 0;
    unsigned long long kib = 0;
    while (!found && fgets(line, sizeof(line), fp) != NULL)
        found = sscanf(line, "MemAvailable: %llu kB", &kib) == 1;
    fclose(fp);
    if (!found)
        return -ENOENT;
    *bytes = (uint64_t)kib * 1024;
    return 0;
}

typedef struct {
    const char *limit_file, *usage_file, *inactive_key;
} cgroup_files_t;

static const cgroup_files_t V2_FILES = {"memory.max", "memory.current", "inactive_file"};
static const cgroup_files_t V1_FILES = {"memory.limit_in_bytes", "memory.usage_in_bytes",
                                        "total_inactive_file"};

/*
 * Walks from the process's cgroup (dir + rel) up to the hierarchy's root,
 * keeping the limit with the least room. Usage counts the page cache, of
 * which the inactive part is reclaimed before an OOM kill: it is room.
 */
static void tighten(arch_memory_t *m, const char *mount, const char *rel,
                    const cgroup_files_t *files)
{
    char cg[256];
    snprintf(cg, sizeof(cg), "%s", rel);
    for (;;) {
        char dir[PATH_CAP], path[PATH_CAP + 32];
        snprintf(dir, sizeof(dir), "%s%s", mount, strcmp(cg, "/") == 0 ? "" : cg);
        uint64_t limit, usage = 0;
        snprintf(path, sizeof(path), "%s/%s", dir, files->limit_file);
        if (read_u64(path, &limit) == 0 && limit != ARCH_MEMORY_UNLIMITED) {
            snprintf(path, sizeof(path), "%s/%s", dir, files->usage_file);
            if (read_u64(path, &usage) != 0)
                usage = 0;
            snprintf(path, sizeof(path), "%s/memory.stat", dir);
            uint64_t inactive = stat_value(path, files->inactive_key);
            usage = inactive < usage ? usage - inactive : 0;
            uint64_t room = usage < limit ? limit - usage : 0;
            if (room < m->cgroup_room) {
                m->cgroup_room = room;
                m->cgroup_limit = limit;
                snprintf(m->cgroup, sizeof(m->cgroup), "%s", cg);
            }
        }
        char *slash = strrchr(cg, '/');
        if (slash == NULL || strcmp(cg, "/") == 0)
            break;
        if (slash == cg)
            cg[1] = '\0';
        else
            *slash = '\0';
    }
}

/* Is name one of the comma-separated controllers in list (which ends at end)? */
static int has_controller(const char *list, const char *end, const char *name)
{
    size_t len = strlen(name);
    for (const char *p = list; p < end;) {
        const char *comma = memchr(p, ',', (size_t)(end - p));
        const char *stop = comma != NULL ? comma : end;
        if ((size_t)(stop - p) == len && strncmp(p, name, len) == 0)
            return 1;
        p = stop + 1;
    }
    return 0;
}

static void read_cgroups(arch_memory_t *m, const char *root)
{
    char path[PATH_CAP];
    snprintf(path, sizeof(path), "%s/proc/self/cgroup", root);
    FILE *fp = fopen(path, "r");
    if (fp == NULL)
        return;
    char line[1024];
    while (fgets(line, sizeof(line), fp) != NULL) {
        line[strcspn(line, "\n")] = '\0';
        char *first = strchr(line, ':');
        char *second = first != NULL ? strchr(first + 1, ':') : NULL;
        if (second == NULL || second[1] != '/')
            continue;
        const char *rel = second + 1;
        char mount[PATH_CAP];
        if (line[0] == '0' && first == line + 1 && second == first + 1) {
            /* cgroup v2: mounted alone at /sys/fs/cgroup, or beside v1 at .../unified. */
            snprintf(mount, sizeof(mount), "%s/sys/fs/cgroup", root);
            tighten(m, mount, rel, &V2_FILES);
            snprintf(mount, sizeof(mount), "%s/sys/fs/cgroup/unified", root);
            tighten(m, mount, rel, &V2_FILES);
        } else if (has_controller(first + 1, second, "memory")) {
            snprintf(mount, sizeof(mount), "%s/sys/fs/cgroup/memory", root);
            tighten(m, mount, rel, &V1_FILES);
        }
    }
    fclose(fp);
}

int arch_memory_read_at(arch_memory_t *out, const char *root)
{
    memset(out, 0, sizeof(*out));
    out->cgroup_room = ARCH_MEMORY_UNLIMITED;
    out->cgroup_limit = ARCH_MEMORY_UNLIMITED;
    int rc = read_mem_available(root, &out->mem_available);
    if (rc != 0)
        return rc;
    read_cgroups(out, root);
    out->available = out->cgroup_room < out->mem_available ? out->cgroup_room : out->mem_available;
    return 0;
}

int arch_memory_read(arch_memory_t *out)
{
    /* A test hook: MINEMETER_TEST_MEMORY_ROOT=DIR makes the binary read a made-up machine. */
    const char *root = getenv("MINEMETER_TEST_MEMORY_ROOT");
    return arch_memory_read_at(out, root != NULL ? root : "");
}

/* Whether a free pool of reserved huge pages can take bytes whole (arch/pages.c tries it first). */
static int hugetlb_pool_takes(uint64_t bytes)
{
    static const size_t sizes[] = {(size_t)2 << 20, (size_t)1 << 30};
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        unsigned long total = 0, free_pages = 0;
        if (arch_pages_hugetlb_pool(sizes[i], &total, &free_pages) == 0 &&
            (uint64_t)free_pages * sizes[i] >= bytes)
            return 1;
    }
    return 0;
}

int arch_memory_fits(uint64_t bytes, const char *what, char *why, size_t why_len)
{
    arch_memory_t m;
    unsigned long long need = (bytes + (1u << 20) - 1) >> 20;
    if (arch_memory_read(&m) != 0) {
        snprintf(why, why_len, "%s needs %llu MiB, and the memory free cannot be read (tried)",
                 what, need);
        return 1;
    }
    /* Reserved huge pages are outside MemAvailable and outside the memory cgroup's count. */
    if (m.available < bytes && hugetlb_pool_takes(bytes)) {
        snprintf(why, why_len, "%s needs %llu MiB, and the reserved huge pages have it free", what,
                 need);
        return 1;
    }
    int fits = m.available >= bytes;
    if (m.cgroup_room == m.available)
        snprintf(why, why_len,
                 "%s needs %llu MiB, and cgroup %s allows this process %llu MiB more (its limit "
                 "is %llu MiB)",
                 what, need, m.cgroup, (unsigned long long)(m.available >> 20),
                 (unsigned long long)(m.cgroup_limit >> 20));
    else
        snprintf(why, why_len, "%s needs %llu MiB, and the kernel has %llu MiB available", what,
                 need, (unsigned long long)(m.available >> 20));
    return fits;
}
