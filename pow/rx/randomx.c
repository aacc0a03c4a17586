/*
 * The RandomX pipeline (spec chapter 2) and the cache/VM lifecycle.
 */
#include "config.h"
#include "pow/rx/randomx.h"

#include <errno.h>
#include <fenv.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "arch/cpu.h"
#include "arch/pages.h"
#include "pow/prim/blake2b.h"
#include "pow/rx/aes_hash.h"
#include "pow/rx/argon2d.h"
#include "pow/rx/blake_generator.h"
#include "pow/rx/dataset_memory.h"
#include "pow/rx/dataset_item.h"
#include "pow/rx/dataset_jit.h"
#include "pow/rx/light_items.h"
#include "pow/rx/superscalar.h"
#include "pow/rx/vm.h"
#include "pow/rx/vm_jit.h"

struct pow_rx_cache {
    const pow_rx_variant_t *variant;
    arch_pages_t memory;
    size_t bytes;
    int initialized;
    size_t key_len;
    uint8_t key[POW_RX_MAX_KEY];
    pow_rx_superscalar_t programs[RX_CACHE_ACCESSES];
    pow_rx_dataset_jit_t jit; /* the programs compiled, when this machine has a JIT */
};

struct pow_rx_vm {
    rx_vm_t vm;
    int compiled_items; /* light mode reads use the cache's compiled programs */
    const pow_rx_aes_t *aes;
    pow_isa_t isa;
    int use_jit;         /* programs run as machine code (pow/rx/vm_jit.h) */
    pow_rx_vm_jit_t jit; /* its code memory, mapped on first use */
    pow_rx_cache_t *cache;
    arch_pages_t scratchpad;
    uint8_t seed[64];
    uint8_t program[128 + 8 * RX_PROGRAM_MAX_SIZE];
};

int pow_rx_isa_available(pow_isa_t isa)
{
    switch (isa) {
    case POW_ISA_PORTABLE:
        return 1;
#ifdef MM_BUILD_AESNI
    case POW_ISA_AESNI:
        return pow_isa_runnable(isa);
#endif
#ifdef MM_BUILD_ARMCRYPTO
    case POW_ISA_ARMCRYPTO:
        return pow_isa_runnable(isa);
#endif
    default:
        return 0;
    }
}

pow_isa_t pow_rx_isa_best(void)
{
    if (pow_rx_isa_available(POW_ISA_AESNI))
        return POW_ISA_AESNI;
    if (pow_rx_isa_available(POW_ISA_ARMCRYPTO))
        return POW_ISA_ARMCRYPTO;
    return POW_ISA_PORTABLE;
}

pow_rx_cache_t *pow_rx_cache_alloc(const pow_rx_variant_t *variant)
{
    pow_rx_cache_t *cache = calloc(1, sizeof(*cache));
    if (cache == NULL)
        return NULL;
    cache->variant = variant;
    cache->bytes = (size_t)variant->argon_memory_kib * 1024;
    if (arch_pages_alloc(&cache->memory, cache->bytes, 0) != 0) {
        free(cache);
        return NULL;
    }
    return cache;
}

int pow_rx_cache_init(pow_rx_cache_t *cache, const void *key, size_t key_len)
{
    if (key_len > POW_RX_MAX_KEY)
        return -EINVAL;
    if (cache->initialized && cache->memory.ptr != NULL && cache->key_len == key_len &&
        memcmp(cache->key, key, key_len) == 0)
        return 0;
    if (cache->memory.ptr == NULL && arch_pages_alloc(&cache->memory, cache->bytes, 0) != 0)
        return -ENOMEM; /* its memory was released after a dataset build */
    const pow_rx_variant_t *v = cache->variant;
    pow_rx_argon2d_params_t params = {
        .salt = (const uint8_t *)v->argon_salt,
        .salt_len = v->argon_salt_len,
        .memory_kib = v->argon_memory_kib,
        .passes = v->argon_iterations,
        .lanes = v->argon_lanes,
    };
    cache->initialized = 0;
    int rc;
#ifdef MM_BUILD_AVX2
    if (arch_cpu_has(ARCH_CPU_AVX2))
        rc = pow_rx_argon2d_fill_avx2(cache->memory.ptr, &params, key, key_len);
    else
#endif
#ifdef MM_BUILD_NEON
        if (arch_cpu_has(ARCH_CPU_NEON))
        rc = pow_rx_argon2d_fill_neon(cache->memory.ptr, &params, key, key_len);
    else
#endif
        rc = pow_rx_argon2d_fill(cache->memory.ptr, &params, key, key_len);
    if (rc != 0)
        return rc;
    pow_rx_blake_generator_t gen;
    pow_rx_blake_generator_init(&gen, key, key_len, 0);
    for (int i = 0; i < RX_CACHE_ACCESSES; i++)
        pow_rx_superscalar_generate(&cache->programs[i], &gen, v->superscalar_latency);
    /* Without a JIT (or if it fails) items are interpreted: slower, same values. */
    if (pow_rx_dataset_jit_supported() &&
        pow_rx_dataset_jit_compile(&cache->jit, cache->programs, cache->bytes) != 0)
        cache->jit.fn = NULL;
    memcpy(cache->key, key, key_len);
    cache->key_len = key_len;
    cache->initialized = 1;
    return 0;
}

const char *pow_rx_cache_pages(const pow_rx_cache_t *cache)
{
    return arch_pages_kind_name(cache->memory.kind);
}

const void *pow_rx_cache_memory(const pow_rx_cache_t *cache, size_t *len)
{
    *len = cache->memory.ptr != NULL ? cache->bytes : 0;
    return cache->memory.ptr;
}

void pow_rx_cache_release(pow_rx_cache_t *cache)
{
    if (cache == NULL)
        return;
    pow_rx_dataset_jit_release(&cache->jit);
    arch_pages_free(&cache->memory);
    free(cache);
}

void pow_rx_cache_dataset_item(const pow_rx_cache_t *cache, uint64_t item_number, uint8_t out[64])
{
    if (cache->jit.fn != NULL) {
        uint64_t words[8];
        cache->jit.fn(cache->memory.ptr, item_number, words);
        memcpy(out, words, sizeof(words));
    } else {
        pow_rx_dataset_item(cache->memory.ptr, cache->bytes, cache->programs, item_number, out);
    }
}

void pow_rx_cache_dataset_items(const pow_rx_cache_t *cache, uint64_t first, uint64_t count,
                                uint8_t *out)
{
    uint64_t done = 0;
    /* Batches write words: straight into out when out is aligned for them. */
    if (cache->jit.wide.eight != NULL && (uintptr_t)out % sizeof(uint64_t) == 0) {
        for (; count - done >= POW_RX_DATASET_JIT_WIDE; done += POW_RX_DATASET_JIT_WIDE) {
            uint64_t items[POW_RX_DATASET_JIT_WIDE];
            for (unsigned k = 0; k < POW_RX_DATASET_JIT_WIDE; k++)
                items[k] = first + done + k;
            cache->jit.wide.eight(cache->memory.ptr, items,
                                  (uint64_t(*)[8])(void *)(out + done * RX_DATASET_ITEM_SIZE));
        }
    }
    if (cache->jit.batch_fn != NULL && (uintptr_t)out % sizeof(uint64_t) == 0) {
        for (; count - done >= POW_RX_DATASET_JIT_BATCH; done += POW_RX_DATASET_JIT_BATCH) {
            uint64_t items[POW_RX_DATASET_JIT_BATCH];
            for (unsigned k = 0; k < POW_RX_DATASET_JIT_BATCH; k++)
                items[k] = first + done + k;
            pow_rx__cache_item_batch(cache, items,
                                     (uint64_t(*)[8])(void *)(out + done * RX_DATASET_ITEM_SIZE));
        }
    }
    for (; done < count; done++)
        pow_rx_cache_dataset_item(cache, first + done, out + done * RX_DATASET_ITEM_SIZE);
}

void pow_rx__cache_item_batch(const pow_rx_cache_t *cache,
                              const uint64_t items[POW_RX_DATASET_JIT_BATCH],
                              uint64_t out[POW_RX_DATASET_JIT_BATCH][8])
{
    if (cache->jit.wide.four != NULL) {
        cache->jit.wide.four(cache->memory.ptr, items, out);
        return;
    }
    if (cache->jit.batch_fn != NULL) {
        cache->jit.batch_fn(cache->memory.ptr, items, out);
        return;
    }
    for (unsigned k = 0; k < POW_RX_DATASET_JIT_BATCH; k++) {
        uint8_t item[64];
        pow_rx_cache_dataset_item(cache, items[k], item);
        memcpy(out[k], item, sizeof(item));
    }
}

/* The portable path interprets the programs, so that it stays a reference on every machine. */
static void read_item_interpreted(void *source, uint64_t item_number, uint64_t out[8])
{
    const pow_rx_cache_t *cache = source;
    uint8_t item[64];
    pow_rx_dataset_item(cache->memory.ptr, cache->bytes, cache->programs, item_number, item);
    memcpy(out, item, sizeof(item));
}

/* Light mode: every dataset item is computed from the cache when read, compiled when we can. */
static void read_item_compiled(void *source, uint64_t item_number, uint64_t out[8])
{
    const pow_rx_cache_t *cache = source;
    if (cache->jit.fn != NULL)
        cache->jit.fn(cache->memory.ptr, item_number, out);
    else
        read_item_interpreted(source, item_number, out);
}

/* The process's choice for new VMs (--jit off): a setting of the program, not hashing state. */
static _Atomic int default_jit = 1;

void pow_rx_set_default_jit(int on)
{
    default_jit = on != 0;
}

pow_rx_vm_t *pow_rx_vm_create(pow_rx_cache_t *cache, pow_isa_t isa)
{
    if (!pow_rx_isa_available(isa))
        return NULL;
    pow_rx_vm_t *vm = aligned_alloc(64, (sizeof(*vm) + 63) / 64 * 64);
    if (vm == NULL)
        return NULL;
    memset(vm, 0, sizeof(*vm));
    const pow_rx_variant_t *v = cache->variant;
    if (arch_pages_alloc(&vm->scratchpad, v->scratchpad_l3, 0) != 0) {
        free(vm);
        return NULL;
    }
    vm->cache = cache;
    vm->aes = &pow_rx_aes_portable;
    vm->vm.fe_mix_v2 = pow_rx_fe_mix_portable;
#ifdef MM_BUILD_AESNI
    if (isa == POW_ISA_AESNI) {
        vm->aes = &pow_rx_aes_aesni;
        vm->vm.fe_mix_v2 = pow_rx_fe_mix_aesni;
    }
#endif
#ifdef MM_BUILD_ARMCRYPTO
    if (isa == POW_ISA_ARMCRYPTO) {
        vm->aes = &pow_rx_aes_armcrypto;
        vm->vm.fe_mix_v2 = pow_rx_fe_mix_armcrypto;
    }
#endif
    vm->vm.variant = v;
    vm->vm.scratchpad = vm->scratchpad.ptr;
    /* The cache is initialised later, maybe for another key: decide at each read path change. */
    vm->compiled_items = isa != POW_ISA_PORTABLE;
    vm->vm.dataset_read = vm->compiled_items ? read_item_compiled : read_item_interpreted;
    vm->vm.dataset_source = cache;
    pow_rx_vm_setup(&vm->vm);
    vm->isa = isa;
    /* The portable path stays the interpreter, the reference every other path is checked
       against; the others compile programs where they can. */
    if (isa != POW_ISA_PORTABLE && default_jit)
        (void)pow_rx_vm_set_jit(vm, 1);
    return vm;
}

void pow_rx__vm_set_item_reader(pow_rx_vm_t *vm, rx_dataset_read_fn fn, void *source)
{
    vm->vm.dataset_read = fn;
    vm->vm.dataset_source = source;
}

int pow_rx_vm_set_jit(pow_rx_vm_t *vm, int on)
{
    if (!on) {
        vm->use_jit = 0;
        return 0;
    }
    if (vm->isa == POW_ISA_PORTABLE || !pow_rx_vm_jit_supported())
        return -ENOTSUP;
    if (vm->jit.code.rw == NULL) {
        int rc = pow_rx_vm_jit_init(&vm->jit);
        if (rc != 0)
            return rc;
    }
    vm->use_jit = 1;
    return 0;
}

int pow_rx_vm_jit_enabled(const pow_rx_vm_t *vm)
{
    return vm->use_jit;
}

int pow_rx_vm_set_dataset(pow_rx_vm_t *vm, const pow_rx_dataset_t *dataset)
{
    if (dataset == NULL && vm->cache->memory.ptr == NULL)
        return -EINVAL; /* light mode needs the cache's memory, released since */
    vm->vm.dataset = dataset != NULL ? pow_rx__dataset_memory(dataset) : NULL;
    return 0;
}

void pow_rx_cache_release_memory(pow_rx_cache_t *cache)
{
    arch_pages_free(&cache->memory);
    cache->initialized = 0;
}

const char *pow_rx_vm_pages(const pow_rx_vm_t *vm)
{
    return arch_pages_kind_name(vm->scratchpad.kind);
}

void pow_rx_vm_destroy(pow_rx_vm_t *vm)
{
    if (vm == NULL)
        return;
    pow_rx_vm_jit_release(&vm->jit);
    arch_pages_free(&vm->scratchpad);
    free(vm);
}

int pow_rx_variants_share_cache(const pow_rx_variant_t *a, const pow_rx_variant_t *b)
{
    return a->argon_salt_len == b->argon_salt_len &&
           memcmp(a->argon_salt, b->argon_salt, a->argon_salt_len) == 0 &&
           a->argon_memory_kib == b->argon_memory_kib &&
           a->argon_iterations == b->argon_iterations && a->argon_lanes == b->argon_lanes &&
           a->superscalar_latency == b->superscalar_latency;
}

int pow_rx_vm_set_variant(pow_rx_vm_t *vm, const pow_rx_variant_t *variant)
{
    if (!pow_rx_variants_share_cache(vm->cache->variant, variant) ||
        variant->scratchpad_l3 > vm->scratchpad.size)
        return -EINVAL;
    vm->vm.variant = variant;
    pow_rx_vm_setup(&vm->vm);
    return 0;
}

/* Seed from the input, then the scratchpad from the seed (the seed becomes the generator's end
 * state). */
static void start_hash(pow_rx_vm_t *vm, const void *in, size_t len)
{
    pow_blake2b(vm->seed, sizeof(vm->seed), in, len);
    vm->aes->fill_1r(vm->seed, vm->vm.scratchpad, vm->vm.variant->scratchpad_l3);
}

/*
 * Runs the programmed VM: compiled when the JIT is on. Should compiling fail
 * (the code memory cannot be switched), the interpreter gives the same
 * result and the JIT turns itself off, as pow_rx_vm_jit_enabled then says.
 */
static void run_program(pow_rx_vm_t *vm)
{
    if (vm->use_jit) {
        /* The JIT reads the instructions itself: only the configuration is decoded. */
        pow_rx_vm_configure(&vm->vm, vm->program);
        if (pow_rx_vm_jit_compile(&vm->jit, &vm->vm, vm->program) == 0) {
            pow_rx_vm_jit_execute(&vm->jit, &vm->vm);
            return;
        }
        vm->use_jit = 0;
    }
    pow_rx_vm_program(&vm->vm, vm->program);
    pow_rx_vm_execute(&vm->vm);
}

/* The chained programs, up to the scratchpad's fingerprint. */
static void run_programs(pow_rx_vm_t *vm)
{
    const pow_rx_variant_t *v = vm->vm.variant;
    const size_t program_bytes = 128 + 8 * (size_t)v->program_size;
    vm->vm.fprc = 0;
    pow_rx_set_rounding(0);
    for (uint32_t chain = 0; chain < v->program_count; chain++) {
        vm->aes->fill_4r(vm->seed, vm->program, program_bytes, v->aes4r_keys);
        run_program(vm);
        if (chain + 1 < v->program_count)
            pow_blake2b(vm->seed, sizeof(vm->seed), &vm->vm.reg, sizeof(vm->vm.reg));
    }
}

/* The chained programs and the final hash of the register file. */
static void finish_hash(pow_rx_vm_t *vm, uint8_t out[32])
{
    run_programs(vm);
    vm->aes->hash_1r(vm->vm.scratchpad, vm->vm.variant->scratchpad_l3, (uint8_t *)vm->vm.reg.a);
    pow_blake2b(out, 32, &vm->vm.reg, sizeof(vm->vm.reg));
}

void pow_rx_hash(pow_rx_vm_t *vm, const void *in, size_t len, uint8_t out[32])
{
    int caller_mode = fegetround();
    start_hash(vm, in, len);
    finish_hash(vm, out);
    fesetround(caller_mode);
}

void pow_rx_hash_first(pow_rx_vm_t *vm, const void *in, size_t len)
{
    start_hash(vm, in, len);
}

void pow_rx_hash_next(pow_rx_vm_t *vm, const void *next_in, size_t next_len, uint8_t out[32])
{
    int caller_mode = fegetround();
    run_programs(vm);
    /* The current fingerprint and the next scratchpad in one pass over its memory. */
    pow_blake2b(vm->seed, sizeof(vm->seed), next_in, next_len);
    vm->aes->hash_and_fill(vm->vm.scratchpad, vm->vm.variant->scratchpad_l3,
                           (uint8_t *)vm->vm.reg.a, vm->seed);
    pow_blake2b(out, 32, &vm->vm.reg, sizeof(vm->vm.reg));
    fesetround(caller_mode);
}

void pow_rx_hash_last(pow_rx_vm_t *vm, uint8_t out[32])
{
    int caller_mode = fegetround();
    finish_hash(vm, out);
    fesetround(caller_mode);
}

void pow_rx_commitment(const void *in, size_t len, const uint8_t hash[32], uint8_t out[32])
{
    pow_blake2b_t s;
    pow_blake2b_init(&s, 32);
    pow_blake2b_update(&s, in, len);
    pow_blake2b_update(&s, hash, 32);
    pow_blake2b_final(&s, out);
}
