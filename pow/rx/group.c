/*
 * The lockstep group (pow/rx/group.h). Each lane's VM reads its items
 * through lane_read_item, which notes the item it wants and where, and
 * yields; the group's loop resumes every lane once per round, then
 * computes the round's items in one batch and hands them out.
 */
#include "config.h"
#include "pow/rx/group.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "arch/fiber.h"
#include "pow/rx/light_items.h"

/* Enough for a hash and what it calls, sanitizers included. */
#define LANE_STACK_BYTES ((size_t)256 << 10)

typedef struct {
    pow_rx_vm_t *vm;
    arch_fiber_t fiber;
    /* This hash. */
    const void *input;
    size_t len;
    uint8_t *output;
    /* The item it waits for, when waiting. */
    unsigned waiting;
    uint64_t item;
    uint64_t *item_out;
} lane_t;

struct pow_rx_group {
    pow_rx_cache_t *cache;
    int lockstep;
    lane_t lanes[POW_RX_GROUP_LANES];
};

static void lane_read_item(void *source, uint64_t item_number, uint64_t out[8])
{
    lane_t *lane = source;
    lane->item = item_number;
    lane->item_out = out;
    lane->waiting = 1;
    arch_fiber_yield(&lane->fiber);
}

static void lane_hash(void *arg)
{
    lane_t *lane = arg;
    pow_rx_hash(lane->vm, lane->input, lane->len, lane->output);
}

static _Atomic int default_lockstep = 1;

void pow_rx_set_default_lockstep(int on)
{
    default_lockstep = on != 0;
}

int pow_rx_group_lockstep_for(pow_isa_t isa)
{
    return default_lockstep && isa != POW_ISA_PORTABLE && arch_fiber_supported() &&
           pow_rx_dataset_jit_supported();
}

pow_rx_group_t *pow_rx_group_create(pow_rx_cache_t *cache, pow_isa_t isa)
{
    pow_rx_group_t *g = calloc(1, sizeof(*g));
    if (g == NULL)
        return NULL;
    g->cache = cache;
    g->lockstep = pow_rx_group_lockstep_for(isa);
    for (unsigned k = 0; k < POW_RX_GROUP_LANES; k++) {
        lane_t *lane = &g->lanes[k];
        lane->vm = pow_rx_vm_create(cache, isa);
        if (lane->vm == NULL) {
            pow_rx_group_destroy(g);
            return NULL;
        }
        if (g->lockstep && arch_fiber_create(&lane->fiber, LANE_STACK_BYTES) != 0)
            g->lockstep = 0;
    }
    if (g->lockstep) {
        for (unsigned k = 0; k < POW_RX_GROUP_LANES; k++)
            pow_rx__vm_set_item_reader(g->lanes[k].vm, lane_read_item, &g->lanes[k]);
    }
    return g;
}

int pow_rx_group_set_variant(pow_rx_group_t *g, const pow_rx_variant_t *variant)
{
    for (unsigned k = 0; k < POW_RX_GROUP_LANES; k++) {
        int rc = pow_rx_vm_set_variant(g->lanes[k].vm, variant);
        if (rc != 0)
            return rc;
    }
    return 0;
}

int pow_rx_group_lockstep(const pow_rx_group_t *g)
{
    return g->lockstep;
}

/* Resumes every lane still hashing once; returns how many are still hashing after. */
static unsigned run_round(pow_rx_group_t *g)
{
    unsigned live = 0;
    for (unsigned k = 0; k < POW_RX_GROUP_LANES; k++) {
        lane_t *lane = &g->lanes[k];
        if (arch_fiber_finished(&lane->fiber))
            continue;
        lane->waiting = 0;
        arch_fiber_resume(&lane->fiber);
        live += lane->waiting;
    }
    return live;
}

/* The items the waiting lanes asked for, in one batch (idle slots repeat a waiting lane's). */
static void serve_items(pow_rx_group_t *g)
{
    uint64_t items[POW_RX_GROUP_LANES], words[POW_RX_GROUP_LANES][8];
    uint64_t any = 0;
    for (unsigned k = 0; k < POW_RX_GROUP_LANES; k++) {
        if (g->lanes[k].waiting)
            any = g->lanes[k].item;
    }
    for (unsigned k = 0; k < POW_RX_GROUP_LANES; k++)
        items[k] = g->lanes[k].waiting ? g->lanes[k].item : any;
    pow_rx__cache_item_batch(g->cache, items, words);
    for (unsigned k = 0; k < POW_RX_GROUP_LANES; k++) {
        if (g->lanes[k].waiting)
            memcpy(g->lanes[k].item_out, words[k], sizeof(words[k]));
    }
}

int pow_rx_group_hash_until(pow_rx_group_t *g, const void *const inputs[POW_RX_GROUP_LANES],
                            const size_t lens[POW_RX_GROUP_LANES],
                            uint8_t outputs[POW_RX_GROUP_LANES][32], pow_rx_group_stop_fn stop,
                            void *arg)
{
    if (!g->lockstep) {
        for (unsigned k = 0; k < POW_RX_GROUP_LANES; k++) {
            if (stop != NULL && stop(arg))
                return 0;
            pow_rx_hash(g->lanes[k].vm, inputs[k], lens[k], outputs[k]);
        }
        return 1;
    }
    for (unsigned k = 0; k < POW_RX_GROUP_LANES; k++) {
        lane_t *lane = &g->lanes[k];
        lane->input = inputs[k];
        lane->len = lens[k];
        lane->output = outputs[k];
        arch_fiber_start(&lane->fiber, lane_hash, lane);
    }
    /*
     * Every lane reads the same number of items, so all wait together until
     * all finish. Giving up leaves the lanes where they wait: the next call
     * starts each fiber afresh, and each hash sets up all of its VM's state.
     */
    while (run_round(g) != 0) {
        if (stop != NULL && stop(arg))
            return 0;
        serve_items(g);
    }
    return 1;
}

void pow_rx_group_hash(pow_rx_group_t *g, const void *const inputs[POW_RX_GROUP_LANES],
                       const size_t lens[POW_RX_GROUP_LANES],
                       uint8_t outputs[POW_RX_GROUP_LANES][32])
{
    (void)pow_rx_group_hash_until(g, inputs, lens, outputs, NULL, NULL);
}

int pow_rx_group_jit_enabled(const pow_rx_group_t *g)
{
    return pow_rx_vm_jit_enabled(g->lanes[0].vm);
}

const char *pow_rx_group_pages(const pow_rx_group_t *g)
{
    return pow_rx_vm_pages(g->lanes[0].vm);
}

void pow_rx_group_destroy(pow_rx_group_t *g)
{
    if (g == NULL)
        return;
    for (unsigned k = 0; k < POW_RX_GROUP_LANES; k++) {
        arch_fiber_destroy(&g->lanes[k].fiber);
        pow_rx_vm_destroy(g->lanes[k].vm);
    }
    free(g);
}
