#include "config.h"
#include "miner/placement.h"

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_CACHES 512
#define MAX_LIST   1024

int miner_pin_mode_from_name(const char *name, miner_pin_mode_t *mode)
{
    static const char *const names[] = {"core", "pu", "none"};
    for (int i = 0; i < 3; i++) {
        if (strcmp(name, names[i]) == 0) {
            *mode = (miner_pin_mode_t)i;
            return 0;
        }
    }
    return -1;
}

unsigned miner_default_threads_why(const arch_topology_t *topo, size_t memory_per_thread, char *why,
                                   size_t why_len)
{
    static arch_cache_t caches[MAX_CACHES];
    size_t n = arch_topology_caches(topo, caches, MAX_CACHES);
    if (n > MAX_CACHES)
        n = MAX_CACHES;
    unsigned cores = arch_topology_count(topo, ARCH_TOPO_CORE);
    unsigned pus = arch_topology_count(topo, ARCH_TOPO_PU);
    unsigned threads = 0, l3_seen = 0;
    uint64_t l3_bytes = 0;
    for (size_t i = 0; i < n; i++) {
        if (caches[i].level != 3)
            continue;
        l3_seen++;
        l3_bytes += caches[i].size;
        /* The cores sharing this L3: its PUs over the machine's PUs per core. */
        unsigned sharing = caches[i].pu_count * cores / (pus ? pus : 1);
        size_t fit = memory_per_thread ? caches[i].size / memory_per_thread : sharing;
        threads += (unsigned)(fit < sharing ? fit : sharing);
    }
    if (l3_seen == 0)
        threads = cores;
    if (threads == 0)
        threads = 1;
    if (why == NULL || why_len == 0)
        return threads;
    char need[32];
    if (memory_per_thread >= (1u << 20))
        snprintf(need, sizeof(need), "%zu MiB", memory_per_thread >> 20);
    else
        snprintf(need, sizeof(need), "%zu KiB", memory_per_thread >> 10);
    if (l3_seen == 0)
        snprintf(why, why_len, "one per core: %u core(s), and no L3 reported", cores);
    else
        snprintf(why, why_len, "one per core with %s of L3 to spare: %u core(s), %llu MiB of L3%s",
                 need, cores, (unsigned long long)(l3_bytes >> 20), l3_seen > 1 ? " in all" : "");
    return threads;
}

unsigned miner_default_threads(const arch_topology_t *topo, size_t memory_per_thread)
{
    return miner_default_threads_why(topo, memory_per_thread, NULL, 0);
}

/* Parses "0-3,8" into list; returns the count or -EINVAL. */
static int parse_list(const char *text, int *list, int max)
{
    int n = 0;
    const char *p = text;
    while (*p != '\0') {
        if (!isdigit((unsigned char)*p))
            return -EINVAL;
        char *end;
        long first = strtol(p, &end, 10), last = first;
        if (*end == '-') {
            p = end + 1;
            if (!isdigit((unsigned char)*p))
                return -EINVAL;
            last = strtol(p, &end, 10);
        }
        if (last < first || last > 65535)
            return -EINVAL;
        for (long v = first; v <= last; v++) {
            if (n == max)
                return -EINVAL;
            list[n++] = (int)v;
        }
        p = end;
        if (*p == ',' && p[1] != '\0')
            p++;
        else if (*p != '\0')
            return -EINVAL;
    }
    return n > 0 ? n : -EINVAL;
}

static int pu_exists(const arch_topology_t *topo, int pu)
{
    unsigned total = arch_topology_count(topo, ARCH_TOPO_PU);
    for (unsigned i = 0; i < total; i++) {
        if (arch_topology_pu_os_index(topo, i) == pu)
            return 1;
    }
    return 0;
}

int miner_place_threads(const arch_topology_t *topo, miner_pin_mode_t mode, const char *affinity,
                        unsigned threads, int *pus)
{
    static int list[MAX_LIST];
    int n = 0;
    if (affinity != NULL) {
        n = parse_list(affinity, list, MAX_LIST);
        if (n < 0)
            return n;
        for (int i = 0; i < n; i++) {
            if (!pu_exists(topo, list[i]))
                return -EINVAL;
        }
    } else if (mode == MINER_PIN_CORE || mode == MINER_PIN_PU) {
        unsigned total = arch_topology_count(topo, ARCH_TOPO_PU);
        if (mode == MINER_PIN_CORE) {
            unsigned cores = arch_topology_count(topo, ARCH_TOPO_CORE);
            for (unsigned c = 0; c < cores && n < MAX_LIST; c++) {
                int pu = arch_topology_core_first_pu(topo, c);
                if (pu >= 0)
                    list[n++] = pu;
            }
        }
        /* Then every PU not listed yet, in topology order. */
        for (unsigned i = 0; i < total && n < MAX_LIST; i++) {
            int pu = arch_topology_pu_os_index(topo, i), seen = 0;
            for (int k = 0; k < n; k++)
                seen |= list[k] == pu;
            if (!seen && pu >= 0)
                list[n++] = pu;
        }
    }
    for (unsigned t = 0; t < threads; t++)
        pus[t] = n > 0 ? list[t % (unsigned)n] : -1;
    return 0;
}
