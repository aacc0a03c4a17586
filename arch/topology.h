/*
 * The machine's shape through hwloc: packages, cores, processing units
 * (PUs, hardware threads), NUMA nodes and caches; pinning a thread to a PU
 * and binding memory to a NUMA node.
 *
 * PUs are named by their operating-system index (what sched_getcpu() and
 * taskset use), so a user's --affinity list means what they expect.
 */
#ifndef MINEMETER_ARCH_TOPOLOGY_H
#define MINEMETER_ARCH_TOPOLOGY_H

#include <stddef.h>
#include <stdint.h>

typedef struct arch_topology arch_topology_t;

typedef enum {
    ARCH_TOPO_PACKAGE,
    ARCH_TOPO_CORE,
    ARCH_TOPO_PU,
    ARCH_TOPO_NUMA,
} arch_topo_kind_t;

typedef struct {
    unsigned level;    /* 1, 2, 3 ... */
    char type;         /* 'd' data, 'i' instruction, 'u' unified. */
    uint64_t size;     /* Bytes in one instance. */
    unsigned line;     /* Line size in bytes, 0 if unknown. */
    unsigned pu_count; /* PUs that share this instance. */
    char pus[64];      /* Their OS indexes as a list: "0-1", "0,4". */
} arch_cache_t;

typedef enum {
    ARCH_PIN_STRICT, /* The OS promised to run the thread only there. */
    ARCH_PIN_LOOSE,  /* The strict request was refused; a plain one worked. */
} arch_pin_kind_t;

/* Discovers this machine. Returns 0, or a negative errno. */
int arch_topology_load(arch_topology_t **out);

/*
 * A machine described in hwloc's synthetic syntax instead ("pack:2 numa:1
 * core:4 pu:2"): what tests use to ask questions of shapes this machine
 * does not have. Pinning and binding on it fail. Returns 0 or -EINVAL.
 */
int arch_topology_load_synthetic(const char *description, arch_topology_t **out);

void arch_topology_free(arch_topology_t *topo);

unsigned arch_topology_count(const arch_topology_t *topo, arch_topo_kind_t kind);

/*
 * Fills up to max caches (every level, every instance) and returns how many
 * the machine has, which may be more than max.
 */
size_t arch_topology_caches(const arch_topology_t *topo, arch_cache_t *out, size_t max);

/* The OS index of the i-th PU in topology order, or -1 when out of range. */
int arch_topology_pu_os_index(const arch_topology_t *topo, unsigned i);

/* The OS index of the first PU of the i-th core, or -1 when out of range. */
int arch_topology_core_first_pu(const arch_topology_t *topo, unsigned i);

/*
 * The logical index of the NUMA node whose memory is local to the PU with
 * OS index pu (0 on a machine without NUMA information), or -1 for an
 * unknown PU.
 */
int arch_topology_pu_numa(const arch_topology_t *topo, int pu);

/*
 * Pins the calling thread to the PU with OS index pu: strictly first, then
 * loosely; reports which in *kind. Returns 0, -EINVAL for an unknown PU, or
 * the negative errno of the failed binding.
 */
int arch_topology_pin_thread(arch_topology_t *topo, unsigned pu, arch_pin_kind_t *kind);

/*
 * Binds the pages of [addr, addr + len) to NUMA node numa (its logical
 * index), migrating them if already touched. Returns 0 or a negative errno.
 */
int arch_topology_bind_memory(arch_topology_t *topo, void *addr, size_t len, unsigned numa);

#endif
