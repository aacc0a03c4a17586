/*
 * Dataset items (spec 7.3) computed by machine code: the eight
 * SuperscalarHash programs of a key compiled into one function, with the
 * eight registers held in CPU registers and the cache line mask built in.
 * Computing items is what light-mode hashing spends most of its time on
 * and all that fast-mode dataset initialisation does; the interpreter
 * decodes every instruction of every program for every item, the compiled
 * function does not.
 *
 * The code buffer is never writable and executable at once: it is written
 * while read-write, then switched to read-execute (W^X).
 */
#ifndef MINEMETER_POW_RX_DATASET_JIT_H
#define MINEMETER_POW_RX_DATASET_JIT_H

#include <stddef.h>
#include <stdint.h>

#include "pow/rx/superscalar.h"
#include "pow/rx/dataset_jit_wide.h"

/*
 * Writes item item_number to out as eight words (in memory, the same 64
 * bytes pow_rx_dataset_item writes). cache is the cache the function was
 * compiled for: its size is part of the code.
 */
typedef void (*pow_rx_dataset_item_fn)(const uint8_t *cache, uint64_t item_number, uint64_t out[8]);

/*
 * Items in a batch: what a pow_rx_dataset_batch_fn computes at once. A
 * batch's items wait for their cache lines together instead of one after
 * the other (dataset_jit_x86_64.c says how), which is what makes
 * initialising a dataset with a batch function faster than item by item.
 */
#ifndef POW_RX_DATASET_JIT_BATCH
#define POW_RX_DATASET_JIT_BATCH 4
#endif

/*
 * Writes the POW_RX_DATASET_JIT_BATCH items numbered in items (any
 * numbers, repeats allowed) to out, one after another: the same words as
 * that many calls of the item function.
 */
typedef void (*pow_rx_dataset_batch_fn)(const uint8_t *cache,
                                        const uint64_t items[POW_RX_DATASET_JIT_BATCH],
                                        uint64_t out[][8]);

typedef struct {
    uint8_t *code; /* mmap'ed buffer, NULL when none */
    size_t size;
    pow_rx_dataset_item_fn fn;        /* NULL until a compilation succeeds */
    pow_rx_dataset_batch_fn batch_fn; /* likewise */
    pow_rx_dataset_wide_t wide;       /* eight items at once; its fn NULL without AVX-512 */
} pow_rx_dataset_jit_t;

/* Nonzero when this build can compile programs for this machine. */
int pow_rx_dataset_jit_supported(void);

/*
 * Compiles programs (the key's eight, in order, prepared as generation
 * leaves them) for a cache of cache_bytes bytes, a power of two of at least
 * 64, into jit, reusing its buffer. Returns 0; -ENOTSUP without a JIT for
 * this machine; -EINVAL for a cache size that is not a power of two of at
 * least 64 or a program that is not well formed (too long, an unknown
 * opcode, a register above r7, fewer reciprocals than IMUL_RCPs); or the
 * negative errno of mmap/mprotect. On failure jit->fn is NULL.
 */
int pow_rx_dataset_jit_compile(pow_rx_dataset_jit_t *jit, const pow_rx_superscalar_t programs[8],
                               size_t cache_bytes);

/* The code memory of the item and batch functions: the longest code of both fits. */
#define POW_RX_DATASET_JIT_BUFFER_SIZE 262144

/*
 * Inside pow/rx, each architecture's compiler: writes the item function at
 * code and the batch function at *batch_offset for programs (well formed)
 * and a cache of cache_bytes (a power of two of at least 64), capacity
 * bytes at least POW_RX_DATASET_JIT_BUFFER_SIZE, and returns the bytes
 * written.
 */
size_t pow_rx__dataset_jit_emit(uint8_t *code, size_t capacity,
                                const pow_rx_superscalar_t programs[8], size_t cache_bytes,
                                size_t *batch_offset);

/* Unmaps the buffer; safe on a zeroed struct. */
void pow_rx_dataset_jit_release(pow_rx_dataset_jit_t *jit);

#endif
