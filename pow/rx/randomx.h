/*
 * RandomX, in the shape of the reference's C API (randomx.h) with our
 * names: a cache (Argon2d-filled, 256 MiB for rx/0) built once per key and
 * shared read-only by any number of VMs, one VM per thread.
 *
 * This is light mode: dataset items are computed from the cache on demand.
 * Every function that hashes saves the caller's floating-point rounding
 * mode and restores it before returning.
 */
#ifndef MINEMETER_POW_RX_RANDOMX_H
#define MINEMETER_POW_RX_RANDOMX_H

#include <stddef.h>
#include <stdint.h>

#include "pow/isa.h"
#include "pow/rx/variant.h"

/* Keys (seeds) longer than this are refused, as RandomX leaves them undefined. */
#define POW_RX_MAX_KEY 60

typedef struct pow_rx_cache pow_rx_cache_t;
typedef struct pow_rx_dataset pow_rx_dataset_t;
typedef struct pow_rx_vm pow_rx_vm_t;

/* Whether RandomX has a path for isa that this CPU runs. */
int pow_rx_isa_available(pow_isa_t isa);

/* The fastest available path. */
pow_isa_t pow_rx_isa_best(void);

/* Allocates a cache for variant (on huge pages when it can). NULL when out of memory. */
pow_rx_cache_t *pow_rx_cache_alloc(const pow_rx_variant_t *variant);

/*
 * Builds the cache for key: the Argon2d fill and the SuperscalarHash
 * programs. A no-op when the cache already holds key. Returns 0, or -EINVAL
 * for a key longer than POW_RX_MAX_KEY bytes.
 */
int pow_rx_cache_init(pow_rx_cache_t *cache, const void *key, size_t key_len);

/*
 * Dataset item item_number (0 .. 34078718) computed from the initialised
 * cache: what fast mode stores and light mode computes on demand.
 */
void pow_rx_cache_dataset_item(const pow_rx_cache_t *cache, uint64_t item_number, uint8_t out[64]);

/*
 * Items first .. first + count - 1 into out (count * 64 bytes): what count
 * calls of pow_rx_cache_dataset_item write, computed several at a time
 * where the JIT allows (pow/rx/dataset_jit.h), which is faster.
 */
void pow_rx_cache_dataset_items(const pow_rx_cache_t *cache, uint64_t first, uint64_t count,
                                uint8_t *out);

/* What pages the cache got: "2MB", "THP", "4KB" ... */
const char *pow_rx_cache_pages(const pow_rx_cache_t *cache);

/* The cache's memory (NULL once released after a dataset build); *len its size. */
const void *pow_rx_cache_memory(const pow_rx_cache_t *cache, size_t *len);

void pow_rx_cache_release(pow_rx_cache_t *cache);

/*
 * Gives back the cache's memory (256 MiB for rx/0) once a dataset has been
 * built from it: fast-mode VMs never read the cache. What stays serves
 * VMs created on it in fast mode; light mode is refused until
 * pow_rx_cache_init builds it again.
 */
void pow_rx_cache_release_memory(pow_rx_cache_t *cache);

/*
 * Fast mode's dataset: 2080 MiB (34078719 items of 64 bytes) computed from
 * a cache, shared read-only by every VM. Allocation tries 1 GiB pages when
 * try_1g is set, then 2 MiB pages, THP, normal pages. NULL when out of memory.
 */
pow_rx_dataset_t *pow_rx_dataset_alloc(int try_1g);

/* Items in the dataset: 34078719. */
uint64_t pow_rx_dataset_item_count(void);

/*
 * Computes items [start, start + count) from cache. Disjoint ranges may be
 * initialised from different threads at once (that is how the dataset is
 * built in parallel: the caller owns the threads).
 */
void pow_rx_dataset_init(pow_rx_dataset_t *dataset, const pow_rx_cache_t *cache, uint64_t start,
                         uint64_t count);

/*
 * Copies items [start, start + count) of src into dst: a second dataset for
 * another NUMA node costs a copy, not a rebuild. Disjoint ranges may be
 * copied from different threads at once.
 */
void pow_rx_dataset_copy(pow_rx_dataset_t *dst, const pow_rx_dataset_t *src, uint64_t start,
                         uint64_t count);

/* The dataset's memory and its length: what binding it to a NUMA node needs. */
void *pow_rx_dataset_memory(pow_rx_dataset_t *dataset, size_t *len);

/* What pages the dataset got: "1GB", "2MB", "THP", "4KB". */
const char *pow_rx_dataset_pages(const pow_rx_dataset_t *dataset);

void pow_rx_dataset_release(pow_rx_dataset_t *dataset);

/*
 * A VM hashing in light mode from cache on path isa. The cache must be
 * initialised before hashing and outlive the VM. NULL when isa is not
 * available or memory runs out.
 */
pow_rx_vm_t *pow_rx_vm_create(pow_rx_cache_t *cache, pow_isa_t isa);

void pow_rx_vm_destroy(pow_rx_vm_t *vm);

/*
 * Fast mode: the VM reads items from dataset (initialised, outliving the
 * VM) instead of computing them from the cache. NULL switches back to light
 * mode. Both modes give identical hashes. Returns 0, or -EINVAL for light
 * mode on a cache whose memory was released.
 */
int pow_rx_vm_set_dataset(pow_rx_vm_t *vm, const pow_rx_dataset_t *dataset);

/*
 * Runs programs as machine code (on) or through the interpreter (off).
 * VMs on POW_ISA_AESNI start with it on where pow_rx_vm_jit_supported();
 * POW_ISA_PORTABLE VMs always interpret. Both give identical hashes.
 * Returns 0, or -ENOTSUP for on where there is no JIT or the VM's path is
 * portable, or the negative errno of mapping the code memory.
 */
int pow_rx_vm_set_jit(pow_rx_vm_t *vm, int on);

/*
 * Whether VMs created from now on start with the JIT (default on; the
 * command line's --jit off turns it off for the whole process).
 */
void pow_rx_set_default_jit(int on);

/* Whether the VM runs programs as machine code. */
int pow_rx_vm_jit_enabled(const pow_rx_vm_t *vm);

/* What pages the VM's scratchpad got: "2MB", "THP", "4KB" ... */
const char *pow_rx_vm_pages(const pow_rx_vm_t *vm);

/* Whether two variants build the same cache from the same key (rx/0 and rx/2 do). */
int pow_rx_variants_share_cache(const pow_rx_variant_t *a, const pow_rx_variant_t *b);

/*
 * Switches the VM to another variant that shares its cache (rx/0 and rx/2:
 * RandomX v1 and v2 on one VM, as the reference's V2 flag does). Returns 0,
 * or -EINVAL when the variant needs another cache or a larger scratchpad.
 */
int pow_rx_vm_set_variant(pow_rx_vm_t *vm, const pow_rx_variant_t *variant);

/* out = RandomX(in) under the cache's key. */
void pow_rx_hash(pow_rx_vm_t *vm, const void *in, size_t len, uint8_t out[32]);

/*
 * The pipelined form: first(a); next(b) gives hash(a); next(c) gives
 * hash(b); last() gives hash(c). The next input's scratchpad fill is done
 * as the current hash finishes.
 */
void pow_rx_hash_first(pow_rx_vm_t *vm, const void *in, size_t len);
void pow_rx_hash_next(pow_rx_vm_t *vm, const void *next_in, size_t next_len, uint8_t out[32]);
void pow_rx_hash_last(pow_rx_vm_t *vm, uint8_t out[32]);

/* RandomX v2's commitment: BLAKE2b-256(in || hash). */
void pow_rx_commitment(const void *in, size_t len, const uint8_t hash[32], uint8_t out[32]);

#endif
