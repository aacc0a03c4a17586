/*
 * Light-mode RandomX, several hashes at once in one thread.
 *
 * A light-mode hash spends almost all its time computing dataset items,
 * and an item mostly waits: eight cache lines, each known only when the
 * program before it ends. A group runs POW_RX_GROUP_LANES hashes in
 * lockstep, each VM on a fiber of its own (arch/fiber.h): every VM runs
 * until it needs its next item, then the items all of them wait for are
 * computed together (pow/rx/dataset_jit.h's batch function), their cache
 * lines fetched at the same time. The hashes are the same as one VM's.
 *
 * Where lockstep is not possible (no fibers or no JIT on this machine, the
 * portable path), a group hashes its inputs one after another.
 */
#ifndef MINEMETER_POW_RX_GROUP_H
#define MINEMETER_POW_RX_GROUP_H

#include <stddef.h>
#include <stdint.h>

#include "pow/isa.h"
#include "pow/rx/dataset_jit.h"
#include "pow/rx/randomx.h"

/* Hashes per group call. */
#define POW_RX_GROUP_LANES POW_RX_DATASET_JIT_BATCH

typedef struct pow_rx_group pow_rx_group_t;

/*
 * The process's choice for new groups (--lockstep off turns it off, to
 * compare): lockstep where possible (the default), or never.
 */
void pow_rx_set_default_lockstep(int on);

/* Nonzero when groups created now for isa will hash in lockstep. */
int pow_rx_group_lockstep_for(pow_isa_t isa);

/*
 * A group of light-mode VMs on cache (which must outlive it) for isa, with
 * the process's JIT and lockstep settings. NULL when out of memory or isa is not
 * available.
 */
pow_rx_group_t *pow_rx_group_create(pow_rx_cache_t *cache, pow_isa_t isa);

/* As pow_rx_vm_set_variant, for every VM of the group. */
int pow_rx_group_set_variant(pow_rx_group_t *group, const pow_rx_variant_t *variant);

/* Nonzero when the group hashes in lockstep, 0 when one input after another. */
int pow_rx_group_lockstep(const pow_rx_group_t *group);

/*
 * outputs[k] = the RandomX hash of inputs[k] (lens[k] bytes) for every
 * lane k, as pow_rx_hash gives it. The caller's rounding mode is kept.
 */
void pow_rx_group_hash(pow_rx_group_t *group, const void *const inputs[POW_RX_GROUP_LANES],
                       const size_t lens[POW_RX_GROUP_LANES],
                       uint8_t outputs[POW_RX_GROUP_LANES][32]);

/* Asked while a group hashes; nonzero gives the hashes up. */
typedef int (*pow_rx_group_stop_fn)(void *arg);

/*
 * pow_rx_group_hash that gives up as soon as stop(arg) says so: asked once
 * per round of dataset items in lockstep (a few microseconds apart), else
 * between inputs. Returns 1 when every output is written, 0 when it gave
 * up (outputs then undefined; the next call starts afresh).
 */
int pow_rx_group_hash_until(pow_rx_group_t *group, const void *const inputs[POW_RX_GROUP_LANES],
                            const size_t lens[POW_RX_GROUP_LANES],
                            uint8_t outputs[POW_RX_GROUP_LANES][32], pow_rx_group_stop_fn stop,
                            void *arg);

/* Whether the group's VMs compile their programs (pow_rx_vm_jit_enabled of each). */
int pow_rx_group_jit_enabled(const pow_rx_group_t *group);

/* What pages the VMs' scratchpads got (the first VM's). */
const char *pow_rx_group_pages(const pow_rx_group_t *group);

void pow_rx_group_destroy(pow_rx_group_t *group);

#endif
