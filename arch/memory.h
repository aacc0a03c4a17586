/*
 * How much memory this process may still use.
 *
 * The machine's free memory is not the answer in a container or a systemd
 * slice: a cgroup memory limit kills the process (OOM) long before the
 * machine runs out. So the room is the kernel's MemAvailable, lowered by
 * every limit of the cgroup the process runs in and its ancestors (cgroup
 * v2 memory.max, v1 memory.limit_in_bytes) less what each already uses.
 */
#ifndef MINEMETER_ARCH_MEMORY_H
#define MINEMETER_ARCH_MEMORY_H

#include <stddef.h>
#include <stdint.h>

#define ARCH_MEMORY_UNLIMITED UINT64_MAX

typedef struct {
    uint64_t available;     /* bytes this process may still use: the smaller of the two below */
    uint64_t mem_available; /* /proc/meminfo MemAvailable, in bytes */
    uint64_t cgroup_room;   /* the tightest limit less its usage; ARCH_MEMORY_UNLIMITED: none */
    uint64_t cgroup_limit;  /* that limit itself; ARCH_MEMORY_UNLIMITED: none */
    char cgroup[256];       /* the cgroup whose limit binds, "" when none does */
} arch_memory_t;

/*
 * Reads the room of this process. Returns 0, or -ENOENT when /proc/meminfo
 * cannot be read (then nothing is known and out->available is 0).
 */
int arch_memory_read(arch_memory_t *out);

/*
 * The same with every path under root ("/proc/meminfo" becomes
 * root + "/proc/meminfo", and so on for /proc/self/cgroup and
 * /sys/fs/cgroup), so that tests can give it a made-up machine.
 */
int arch_memory_read_at(arch_memory_t *out, const char *root);

/*
 * Whether bytes fit in the room this process has now, or whole in a free
 * pool of reserved huge pages (which MemAvailable and cgroups leave out, and
 * where arch_pages_alloc puts them first). why gets one sentence either
 * way: what is needed, and the room that takes or refuses it (the cgroup
 * and its limit, the kernel's available memory, or the huge pages).
 * Returns 1 when they fit or nothing can be known, 0 when they do not.
 */
int arch_memory_fits(uint64_t bytes, const char *what, char *why, size_t why_len);

#endif
