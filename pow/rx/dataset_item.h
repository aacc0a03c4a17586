/*
 * One RandomX dataset item (spec 7.3): eight SuperscalarHash programs
 * interleaved with reads of eight cache lines. The full dataset is every
 * item computed once; light mode computes items on demand.
 */
#ifndef MINEMETER_POW_RX_DATASET_ITEM_H
#define MINEMETER_POW_RX_DATASET_ITEM_H

#include <stddef.h>
#include <stdint.h>

#include "pow/rx/superscalar.h"

/*
 * Writes item item_number (64 bytes) to out. cache is the Argon2d-filled
 * cache of cache_bytes bytes, a power of two and a multiple of 64;
 * programs are the eight SuperscalarHash programs generated from the same
 * key, in order.
 */
void pow_rx_dataset_item(const uint8_t *cache, size_t cache_bytes,
                         const pow_rx_superscalar_t programs[8], uint64_t item_number,
                         uint8_t out[64]);

#endif
