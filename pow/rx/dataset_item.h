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

/* r0's multiplier: a well-known LCG constant (Knuth, MMIX). */
#define POW_RX_ITEM_MULTIPLIER 6364136223846793005u

/* r1..r7 = r0 XOR these (spec 7.3: Hash512("RandomX SuperScalarHash initialize"),
   bytes 8-63, with r1 and r3 adjusted so that no two registers can be equal). */
extern const uint64_t pow_rx_item_xor[7];

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
