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
    REF_FLAG_HARD_AES = 2,
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

struct bench_randomx_ref {
    void *library;
    void *cache;
    void *vm;
    release_cache_fn release_cache;
    destroy_vm_fn destroy_vm;
    hash_fn hash;
};

int bench_randomx_ref_open(bench_randomx_ref_t **out, int hard_aes, int jit, const void *key,
                           size_t key_len, double *cache_seconds, char *why, size_t why_len)
{
    *out = NULL;
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
    ref->release_cache = (release_cache_fn)dlsym(lib, "randomx_release_cache");
    ref->destroy_vm = (destroy_vm_fn)dlsym(lib, "randomx_destroy_vm");
    ref->hash = (hash_fn)dlsym(lib, "randomx_calculate_hash");
    int flags = (hard_aes ? REF_FLAG_HARD_AES : 0) | (jit ? REF_FLAG_JIT : 0);
    get_flags_fn get_flags = (get_flags_fn)dlsym(lib, "randomx_get_flags");
    int argon = get_flags != NULL ? get_flags() & REF_FLAG_ARGON2 : 0;
    ref->cache = alloc_cache((jit ? REF_FLAG_JIT : 0) | argon);
    if (ref->cache != NULL) {
        uint64_t start = arch_clock_ns();
        init_cache(ref->cache, key, key_len);
        *cache_seconds = (double)(arch_clock_ns() - start) / 1e9;
        ref->vm = create_vm(flags, ref->cache, NULL);
    }
    if (ref->vm == NULL || ref->hash == NULL) {
        snprintf(why, why_len, "the RandomX reference refused flags %d here", flags);
        bench_randomx_ref_close(ref);
        return -ENOTSUP;
    }
    *out = ref;
    return 0;
}

void bench_randomx_ref_hash(bench_randomx_ref_t *ref, const void *in, size_t len, uint8_t out[32])
{
    ref->hash(ref->vm, in, len, out);
}

typedef struct {
    bench_randomx_ref_t *ref;
    arch_topology_t *topo;
    int pu;
    double seconds;
    double rate;
} rate_job_t;

static void *rate_thread(void *arg)
{
    rate_job_t *job = arg;
    if (job->pu >= 0) {
        arch_pin_kind_t kind;
        arch_topology_pin_thread(job->topo, (unsigned)job->pu, &kind);
    }
    uint8_t blob[76] = {0}, out[32];
    uint64_t start = arch_clock_ns(), end = start;
    uint64_t limit = start + (uint64_t)(job->seconds * 1e9);
    uint32_t nonce = 0, hashes = 0;
    while (end < limit) {
        memcpy(blob + 39, &nonce, sizeof(nonce));
        nonce++;
        job->ref->hash(job->ref->vm, blob, sizeof(blob), out);
        hashes++;
        end = arch_clock_ns();
    }
    job->rate = end > start ? hashes * 1e9 / (double)(end - start) : 0;
    return NULL;
}

double bench_randomx_ref_rate(bench_randomx_ref_t *ref, arch_topology_t *topo, int pu,
                              double seconds)
{
    rate_job_t job = {ref, topo, pu, seconds, 0};
    pthread_t id;
    if (pthread_create(&id, NULL, rate_thread, &job) != 0)
        return -EAGAIN;
    pthread_join(id, NULL);
    return job.rate;
}

void bench_randomx_ref_close(bench_randomx_ref_t *ref)
{
    if (ref == NULL)
        return;
    if (ref->vm != NULL && ref->destroy_vm != NULL)
        ref->destroy_vm(ref->vm);
    if (ref->cache != NULL && ref->release_cache != NULL)
        ref->release_cache(ref->cache);
    dlclose(ref->library);
    free(ref);
}
