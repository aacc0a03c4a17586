/*
 * Topology on hwloc 2. The hwloc handle is loaded once per
 * arch_topology_t and is read-only afterwards, so queries may run from any
 * thread; pinning only touches the calling thread.
 */
#include "config.h"
#include "arch/topology.h"

#include <errno.h>
#include <hwloc.h>
#include <stdlib.h>
#include <string.h>

struct arch_topology {
    hwloc_topology_t hw;
};

/* Loads this machine, or the hwloc synthetic description when one is given. */
static int load(const char *synthetic, arch_topology_t **out)
{
    *out = NULL;
    arch_topology_t *topo = calloc(1, sizeof(*topo));
    if (topo == NULL)
        return -ENOMEM;
    if (hwloc_topology_init(&topo->hw) != 0) {
        free(topo);
        return -ENOMEM;
    }
    /* Caches are filtered out of some hwloc builds by default; we want them. */
    hwloc_topology_set_cache_types_filter(topo->hw, HWLOC_TYPE_FILTER_KEEP_ALL);
    if ((synthetic != NULL && hwloc_topology_set_synthetic(topo->hw, synthetic) != 0) ||
        hwloc_topology_load(topo->hw) != 0) {
        int err = errno != 0 ? errno : EIO;
        hwloc_topology_destroy(topo->hw);
        free(topo);
        return synthetic != NULL ? -EINVAL : -err;
    }
    *out = topo;
    return 0;
}

int arch_topology_load(arch_topology_t **out)
{
    return load(NULL, out);
}

int arch_topology_load_synthetic(const char *description, arch_topology_t **out)
{
    return load(description, out);
}

void arch_topology_free(arch_topology_t *topo)
{
    if (topo == NULL)
        return;
    hwloc_topology_destroy(topo->hw);
    free(topo);
}

static hwloc_obj_type_t hwloc_type(arch_topo_kind_t kind)
{
    switch (kind) {
    case ARCH_TOPO_PACKAGE:
        return HWLOC_OBJ_PACKAGE;
    case ARCH_TOPO_CORE:
        return HWLOC_OBJ_CORE;
    case ARCH_TOPO_NUMA:
        return HWLOC_OBJ_NUMANODE;
    case ARCH_TOPO_PU:
        break;
    }
    return HWLOC_OBJ_PU;
}

unsigned arch_topology_count(const arch_topology_t *topo, arch_topo_kind_t kind)
{
    int n = hwloc_get_nbobjs_by_type(topo->hw, hwloc_type(kind));
    /* A machine always has at least one of each, even if hwloc hides it. */
    return n > 0 ? (unsigned)n : 1;
}

static char cache_type_letter(hwloc_obj_cache_type_t t)
{
    switch (t) {
    case HWLOC_OBJ_CACHE_DATA:
        return 'd';
    case HWLOC_OBJ_CACHE_INSTRUCTION:
        return 'i';
    case HWLOC_OBJ_CACHE_UNIFIED:
        break;
    }
    return 'u';
}

size_t arch_topology_caches(const arch_topology_t *topo, arch_cache_t *out, size_t max)
{
    static const hwloc_obj_type_t types[] = {
        HWLOC_OBJ_L1CACHE, HWLOC_OBJ_L1ICACHE, HWLOC_OBJ_L2CACHE,
        HWLOC_OBJ_L3CACHE, HWLOC_OBJ_L4CACHE,
    };
    size_t n = 0;
    for (size_t t = 0; t < sizeof(types) / sizeof(types[0]); t++) {
        hwloc_obj_t obj = NULL;
        while ((obj = hwloc_get_next_obj_by_type(topo->hw, types[t], obj)) != NULL) {
            if (n < max) {
                arch_cache_t *c = &out[n];
                memset(c, 0, sizeof(*c));
                c->level = obj->attr->cache.depth;
                c->type = cache_type_letter(obj->attr->cache.type);
                c->size = obj->attr->cache.size;
                c->line = obj->attr->cache.linesize;
                int w = hwloc_bitmap_weight(obj->cpuset);
                c->pu_count = w > 0 ? (unsigned)w : 0;
                hwloc_bitmap_list_snprintf(c->pus, sizeof(c->pus), obj->cpuset);
            }
            n++;
        }
    }
    return n;
}

int arch_topology_pu_os_index(const arch_topology_t *topo, unsigned i)
{
    hwloc_obj_t pu = hwloc_get_obj_by_type(topo->hw, HWLOC_OBJ_PU, i);
    return pu == NULL ? -1 : (int)pu->os_index;
}

int arch_topology_core_first_pu(const arch_topology_t *topo, unsigned i)
{
    hwloc_obj_t core = hwloc_get_obj_by_type(topo->hw, HWLOC_OBJ_CORE, i);
    if (core == NULL)
        return i == 0 ? arch_topology_pu_os_index(topo, 0) : -1;
    int first = hwloc_bitmap_first(core->cpuset);
    return first;
}

int arch_topology_pu_numa(const arch_topology_t *topo, int pu)
{
    hwloc_obj_t obj = pu >= 0 ? hwloc_get_pu_obj_by_os_index(topo->hw, (unsigned)pu) : NULL;
    if (obj == NULL)
        return -1;
    int nodes = hwloc_get_nbobjs_by_type(topo->hw, HWLOC_OBJ_NUMANODE);
    for (int i = 0; i < nodes; i++) {
        hwloc_obj_t node = hwloc_get_obj_by_type(topo->hw, HWLOC_OBJ_NUMANODE, (unsigned)i);
        if (node != NULL && hwloc_bitmap_isset(node->cpuset, obj->os_index))
            return i;
    }
    return 0; /* no NUMA information: one node */
}

int arch_topology_pin_thread(arch_topology_t *topo, unsigned pu, arch_pin_kind_t *kind)
{
    hwloc_obj_t obj = hwloc_get_pu_obj_by_os_index(topo->hw, pu);
    if (obj == NULL)
        return -EINVAL;
    if (hwloc_set_cpubind(topo->hw, obj->cpuset, HWLOC_CPUBIND_THREAD | HWLOC_CPUBIND_STRICT) ==
        0) {
        *kind = ARCH_PIN_STRICT;
        return 0;
    }
    if (hwloc_set_cpubind(topo->hw, obj->cpuset, HWLOC_CPUBIND_THREAD) == 0) {
        *kind = ARCH_PIN_LOOSE;
        return 0;
    }
    return errno != 0 ? -errno : -EIO;
}

int arch_topology_bind_memory(arch_topology_t *topo, void *addr, size_t len, unsigned numa)
{
    hwloc_obj_t node = hwloc_get_obj_by_type(topo->hw, HWLOC_OBJ_NUMANODE, numa);
    if (node == NULL)
        return -EINVAL;
    int rc = hwloc_set_area_membind(topo->hw, addr, len, node->nodeset, HWLOC_MEMBIND_BIND,
                                    HWLOC_MEMBIND_BYNODESET | HWLOC_MEMBIND_MIGRATE);
    if (rc != 0)
        return errno != 0 ? -errno : -EIO;
    return 0;
}
