/*
 * Inside pow/rx: light mode's dataset items from outside a VM, for the
 * group (pow/rx/group.c), which hashes several inputs in lockstep and
 * computes the items all its VMs wait for together.
 */
#ifndef MINEMETER_POW_RX_LIGHT_ITEMS_H
#define MINEMETER_POW_RX_LIGHT_ITEMS_H

#include <stdint.h>

#include "pow/rx/dataset_jit.h"
#include "pow/rx/randomx.h"
#include "pow/rx/vm.h"

/*
 * Makes light-mode vm read its items through fn(source, ...) (pow/rx/vm.h's
 * reader, called for every item the VM reads) instead of computing them.
 */
void pow_rx__vm_set_item_reader(pow_rx_vm_t *vm, rx_dataset_read_fn fn, void *source);

/*
 * The POW_RX_DATASET_JIT_BATCH items numbered in items into out, computed
 * together by the cache's compiled batch function when it has one, else
 * one by one (same words).
 */
void pow_rx__cache_item_batch(const pow_rx_cache_t *cache,
                              const uint64_t items[POW_RX_DATASET_JIT_BATCH],
                              uint64_t out[POW_RX_DATASET_JIT_BATCH][8]);

#endif
