#define _GNU_SOURCE
#include "config.h"
#include "bench/randomx_reference.h"

#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch/clock.h"

/* The reference's C API (randomx.h), declared here so that building needs no header. */
enum {
    REF_FLAG_LARGE_PAGES = 1,
    REF_FLAG_HARD_AES = 2,
    REF_FLAG_FULL_MEM = 4,
    REF_FLAG_JIT = 8,
    REF_FLAG_ARGON2 = 96, /* SSSE3 | AVX2 */
};
typedef int (*get_flags_fn)(void);
typedef void *(*alloc_cache_fn)(int flags);
typedef void (*init_cache_fn)(void *cache, const void *key, size_t len);
typedef void (*release_cache_fn)(void *cache);
typedef void *(*create_vm_fn)(int flags, void *cache, void *dataset);
typedef void (*destroy_vm_fn)(void *vm);
typedef void (*hash_fn)(void *vm, const void *in, size_t len, void *out);
typedef void (*hash_first_fn)(void *vm, const void *in, size_t len);
typedef void *(*alloc_dataset_fn)(int flags);
typedef unsigned long (*dataset_item_count_fn)(void);
typedef void (*init_dataset_fn)(void *dataset, void *cache, unsigned long start,
                                unsigned long count);
typedef void (*release_dataset_fn)(void *dataset);

struct bench_randomx_ref {
    void *library;
    void *cache;
    void *dataset;
    void *vm; /* for single hashes */
    int flags;
    int cache_large, dataset_large; /* what each got: large pages, or the fallback */
    create_vm_fn create_vm;
    release_cache_fn release_cache;
    release_dataset_fn release_dataset;
    destroy_vm_fn destroy_vm;
    hash_fn hash;
    hash_first_fn hash_first; /* the pipelined API, when the library has it */
    hash_fn hash_next;
};

typedef struct {
    init_dataset_fn init;
    void *dataset, *cache;
    unsigned long start, count;
    arch_topology_t *topo;
    int pu; /* -1: unpinned */
} init_part_t;

static void *init_part(void *arg)
{
    init_part_t *p = arg;
    if (p->topo != NULL && p->pu >= 0) {
        arch_pin_kind_t kind;
        arch_topology_pin_thread(p->topo, (unsigned)p->pu, &kind);
    }
    p->init(p->dataset, p->cache, p->start, p->count);
    return NULL;
}

/* randomx_init_dataset over threads threads, as the reference's own benchmark does. */
static int build_dataset(bench_randomx_ref_t *ref, const bench_randomx_ref_options_t *o,
                         double *seconds, char *why, size_t why_len)
{
    alloc_dataset_fn alloc = (alloc_dataset_fn)dlsym(ref->library, "randomx_alloc_dataset");
    dataset_item_count_fn items =
        (dataset_item_count_fn)dlsym(ref->library, "randomx_dataset_item_count");
    init_dataset_fn init = (init_dataset_fn)dlsym(ref->library, "randomx_init_dataset");
    ref->release_dataset = (release_dataset_fn)dlsym(ref->library, "randomx_release_dataset");
    if (alloc == NULL || items == NULL || init == NULL) {
        snprintf(why, why_len, "the RandomX reference library lacks its dataset API");
        return -ENOENT;
    }
    ref->dataset = alloc(ref->flags & REF_FLAG_LARGE_PAGES);
    ref->dataset_large = ref->dataset != NULL && (ref->flags & REF_FLAG_LARGE_PAGES);
    if (ref->dataset == NULL && (ref->flags & REF_FLAG_LARGE_PAGES)) {
        ref->flags &= ~REF_FLAG_LARGE_PAGES; /* none reserved: as the reference's own fallback */
        ref->dataset = alloc(0);
    }
    if (ref->dataset == NULL) {
        snprintf(why, why_len, "the reference cannot allocate its dataset");
        return -ENOMEM;
    }
    unsigned threads = o->init_threads > 0 && o->init_threads <= 64 ? o->init_threads : 1;
    init_part_t parts[64];
    pthread_t ids[64];
    int threaded[64];
    unsigned long total = items(), per = total / threads;
    uint64_t start = arch_clock_ns();
    for (unsigned i = 0; i < threads; i++) {
        parts[i] = (init_part_t){init,
                                 ref->dataset,
                                 ref->cache,
                                 i * per,
                                 i + 1 == threads ? total - i * per : per,
                                 o->topo,
                                 o->pus != NULL ? o->pus[i] : -1};
        threaded[i] = pthread_create(&ids[i], NULL, init_part, &parts[i]) == 0;
        if (!threaded[i])
            init_part(&parts[i]); /* no thread: do this part here */
    }
    for (unsigned i = 0; i < threads; i++) {
        if (threaded[i])
            pthread_join(ids[i], NULL);
    }
    *seconds = (double)(arch_clock_ns() - start) / 1e9;
    return 0;
}

int bench_randomx_ref_open(bench_randomx_ref_t **out, const bench_randomx_ref_options_t *o,
                           const void *key, size_t key_len, double *cache_seconds,
                           double *dataset_seconds, char *why, size_t why_len)
{
    *out = NULL;
    *cache_seconds = *dataset_seconds = 0;
    void *lib = dlopen("librandomx.so.0", RTLD_NOW | RTLD_LOCAL);
    if (lib == NULL) {
        snprintf(why, why_len,
                 "the RandomX reference library is not installed "
                 "(apt-get install librandomx0)");
        return -ENOENT;
    }
    bench_randomx_ref_t *ref = calloc(1, sizeof(*ref));
    alloc_cache_fn alloc_cache = (alloc_cache_fn)dlsym(lib, "randomx_alloc_cache");
    init_cache_fn init_cache = (init_cache_fn)dlsym(lib, "randomx_init_cache");
    create_vm_fn create_vm = (create_vm_fn)dlsym(lib, "randomx_create_vm");
    if (ref == NULL || alloc_cache == NULL || init_cache == NULL || create_vm == NULL) {
        snprintf(why, why_len, "the RandomX reference library lacks its API");
        free(ref);
        dlclose(lib);
        return -ENOENT;
    }
    ref->library = lib;
    ref->create_vm = create_vm;
    ref->release_cache = (release_cache_fn)dlsym(lib, "randomx_release_cache");
    ref->destroy_vm = (destroy_vm_fn)dlsym(lib, "randomx_destroy_vm");
    ref->hash = (hash_fn)dlsym(lib, "randomx_calculate_hash");
    ref->hash_first = (hash_first_fn)dlsym(lib, "randomx_calculate_hash_first");
    ref->hash_next = (hash_fn)dlsym(lib, "randomx_calculate_hash_next");
    get_flags_fn get_flags = (get_flags_fn)dlsym(lib, "randomx_get_flags");
    int argon = get_flags != NULL ? get_flags() & REF_FLAG_ARGON2 : 0;
    ref->flags = (o->hard_aes ? REF_FLAG_HARD_AES : 0) | (o->jit ? REF_FLAG_JIT : 0) |
                 (o->large_pages ? REF_FLAG_LARGE_PAGES : 0);
    int cache_flags = (o->jit ? REF_FLAG_JIT : 0) | argon;
    ref->cache = alloc_cache(cache_flags | (ref->flags & REF_FLAG_LARGE_PAGES));
    ref->cache_large = ref->cache != NULL && (ref->flags & REF_FLAG_LARGE_PAGES);
    if (ref->cache == NULL && (ref->flags & REF_FLAG_LARGE_PAGES))
        ref->cache = alloc_cache(cache_flags);
    int rc = 0;
    if (ref->cache != NULL) {
        uint64_t start = arch_clock_ns();
        init_cache(ref->cache, key, key_len);
        *cache_seconds = (double)(arch_clock_ns() - start) / 1e9;
        if (o->fast) {
            rc = build_dataset(ref, o, dataset_seconds, why, why_len);
            ref->flags |= REF_FLAG_FULL_MEM;
        }
        if (rc == 0)
            ref->vm = create_vm(ref->flags, ref->cache, ref->dataset);
        if (rc == 0 && ref->vm == NULL && (ref->flags & REF_FLAG_LARGE_PAGES)) {
            ref->flags &= ~REF_FLAG_LARGE_PAGES; /* scratchpads on normal pages then */
            ref->vm = create_vm(ref->flags, ref->cache, ref->dataset);
        }
    }
    if (rc == 0 && (ref->vm == NULL || ref->hash == NULL)) {
        snprintf(why, why_len, "the RandomX reference refused flags %d here", ref->flags);
        rc = -ENOTSUP;
    }
    if (rc != 0) {
        bench_randomx_ref_close(ref);
        return rc;
    }
    *out = ref;
    return 0;
}

const char *bench_randomx_ref_pages(const bench_randomx_ref_t *ref)
{
    int large = (ref->flags & REF_FLAG_FULL_MEM) ? ref->dataset_large : ref->cache_large;
    return large ? "2MB" : "default";
}

void bench_randomx_ref_hash(bench_randomx_ref_t *ref, const void *in, size_t len, uint8_t out[32])
{
    ref->hash(ref->vm, in, len, out);
}

typedef struct {
    bench_randomx_ref_t *ref;
    void *vm;
    arch_topology_t *topo;
    int pu;
    double seconds;
    uint32_t first_nonce;
    double rate;
} rate_job_t;

static void *rate_thread(void *arg)
{
    rate_job_t *job = arg;
    if (job->pu >= 0 && job->topo != NULL) {
        arch_pin_kind_t kind;
        arch_topology_pin_thread(job->topo, (unsigned)job->pu, &kind);
    }
    uint8_t blob[76] = {0}, out[32];
    uint64_t start = arch_clock_ns(), end = start;
    uint64_t limit = start + (uint64_t)(job->seconds * 1e9);
    uint32_t nonce = job->first_nonce, hashes = 0;
    /* Pipelined when the library can, as its own benchmark and every miner hash. */
    const int piped = job->ref->hash_first != NULL && job->ref->hash_next != NULL;
    memcpy(blob + 39, &nonce, sizeof(nonce));
    if (piped)
        job->ref->hash_first(job->vm, blob, sizeof(blob));
    while (end < limit) {
        nonce++;
        memcpy(blob + 39, &nonce, sizeof(nonce));
        if (piped)
            job->ref->hash_next(job->vm, blob, sizeof(blob), out);
        else
            job->ref->hash(job->vm, blob, sizeof(blob), out);
        hashes++;
        end = arch_clock_ns();
    }
    job->rate = end > start ? hashes * 1e9 / (double)(end - start) : 0;
    return NULL;
}

double bench_randomx_ref_rate(bench_randomx_ref_t *ref, arch_topology_t *topo, const int *pus,
                              unsigned threads, double seconds)
{
    if (threads == 0 || threads > 256)
        return -EINVAL;
    rate_job_t *jobs = calloc(threads, sizeof(*jobs));
    pthread_t *ids = calloc(threads, sizeof(*ids));
    double total = 0;
    int rc = jobs == NULL || ids == NULL ? -ENOMEM : 0;
    /* A VM per thread, as every RandomX miner runs; the first one is the shared single VM. */
    for (unsigned i = 0; rc == 0 && i < threads; i++) {
        void *vm = i == 0 ? ref->vm : ref->create_vm(ref->flags, ref->cache, ref->dataset);
        if (vm == NULL)
            rc = -ENOMEM;
        else
            jobs[i] =
                (rate_job_t){ref, vm, topo, pus != NULL ? pus[i] : -1, seconds, i * 0x10000000u, 0};
    }
    unsigned started = 0;
    for (; rc == 0 && started < threads; started++) {
        if (pthread_create(&ids[started], NULL, rate_thread, &jobs[started]) != 0)
            rc = -EAGAIN;
    }
    for (unsigned i = 0; i < started; i++) {
        pthread_join(ids[i], NULL);
        total += jobs[i].rate;
    }
    for (unsigned i = 1; jobs != NULL && i < threads; i++) {
        if (jobs[i].vm != NULL)
            ref->destroy_vm(jobs[i].vm);
    }
    free(jobs);
    free(ids);
    return rc != 0 ? rc : total;
}

void bench_randomx_ref_close(bench_randomx_ref_t *ref)
{
    if (ref == NULL)
        return;
    if (ref->vm != NULL && ref->destroy_vm != NULL)
        ref->destroy_vm(ref->vm);
    if (ref->dataset != NULL && ref->release_dataset != NULL)
        ref->release_dataset(ref->dataset);
    if (ref->cache != NULL && ref->release_cache != NULL)
        ref->release_cache(ref->cache);
    dlclose(ref->library);
    free(ref);
}
