/*
 * The wide dataset item functions: eight items computed at once, one per
 * 64-bit lane of a 512-bit register, and four on 256-bit registers for
 * light mode's batches (dataset_jit_avx512_x86_64.c says why that is
 * faster). Internal to the dataset JIT, which compiles them next to the
 * scalar functions when the CPU has AVX-512 F, DQ and VL; tests call them
 * through pow_rx_dataset_jit_t's wide member.
 */
#ifndef MINEMETER_POW_RX_DATASET_JIT_WIDE_H
#define MINEMETER_POW_RX_DATASET_JIT_WIDE_H

#include <stddef.h>
#include <stdint.h>

#include "pow/rx/superscalar.h"

/* Items the wide function computes at once. */
#define POW_RX_DATASET_JIT_WIDE 8

/*
 * Writes the POW_RX_DATASET_JIT_WIDE items numbered in items (any numbers,
 * repeats allowed) to out, one after another: the same words as that many
 * calls of the item function. out must be 8-byte aligned.
 */
typedef void (*pow_rx_dataset_wide_fn)(const uint8_t *cache,
                                       const uint64_t items[POW_RX_DATASET_JIT_WIDE],
                                       uint64_t out[][8]);

/* The same with four items: a batch function's shape (dataset_jit.h), on 256-bit registers. */
typedef void (*pow_rx_dataset_batch4_fn)(const uint8_t *cache, const uint64_t items[4],
                                         uint64_t out[][8]);

typedef struct {
    uint8_t *code; /* mmap'ed: the constant pool, then the code; NULL when none */
    size_t size;
    pow_rx_dataset_wide_fn eight;  /* NULL unless compiled for this CPU */
    pow_rx_dataset_batch4_fn four; /* likewise */
} pow_rx_dataset_wide_t;

/* Whether this build and CPU can run the wide function (what minemeter info reports). */
int pow_rx_dataset_jit_wide_supported(void);

/*
 * Compiles programs (checked well formed by the caller) for a cache whose
 * line numbers are masked by line_mask, reusing wide's buffer. Returns 0;
 * -ENOTSUP where unavailable; or mmap/mprotect's negative errno. On
 * failure wide->eight and wide->four are NULL.
 */
int pow_rx__dataset_wide_compile(pow_rx_dataset_wide_t *wide,
                                 const pow_rx_superscalar_t programs[8], uint64_t line_mask);

/* Unmaps the buffer; safe on a zeroed struct. */
void pow_rx__dataset_wide_release(pow_rx_dataset_wide_t *wide);

#endif
