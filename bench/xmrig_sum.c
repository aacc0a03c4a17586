#include "config.h"
#include "bench/xmrig_sum.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "arch/clock.h"

typedef struct {
    pow_rx_cache_t *cache;
    const pow_rx_dataset_t *dataset;
    const pow_rx_variant_t *variant;
    pow_isa_t isa;
    uint64_t size;
    arch_topology_t *topo;
    int pu;
    _Atomic uint64_t *next_nonce;
    _Atomic uint64_t *sum;
    _Atomic uint64_t *done;
    int rc;
    uint64_t finished_ns; /* when its last hash was done: the run ends at the last worker's */
} sum_worker_t;

static void *sum_worker(void *arg)
{
    sum_worker_t *w = arg;
    if (w->topo != NULL && w->pu >= 0) {
        arch_pin_kind_t kind;
        arch_topology_pin_thread(w->topo, (unsigned)w->pu, &kind);
    }
    pow_rx_vm_t *vm = pow_rx_vm_create(w->cache, w->isa);
    if (vm == NULL) {
        w->rc = -ENOMEM;
        return NULL;
    }
    pow_rx_vm_set_variant(vm, w->variant);
    pow_rx_vm_set_dataset(vm, w->dataset);
    uint8_t blob[BENCH_XMRIG_BLOB_SIZE] = {0}, hash[32], commitment[32];
    uint64_t local = 0;
    for (;;) {
        uint64_t nonce = atomic_fetch_add(w->next_nonce, 1);
        if (nonce >= w->size)
            break;
        for (int i = 0; i < 4; i++)
            blob[BENCH_XMRIG_NONCE_OFFSET + i] = (uint8_t)(nonce >> (8 * i));
        pow_rx_hash(vm, blob, sizeof(blob), hash);
        const uint8_t *summed = hash;
        if (w->variant->v2) {
            pow_rx_commitment(blob, sizeof(blob), hash, commitment);
            summed = commitment;
        }
        uint64_t word = 0;
        for (int i = 7; i >= 0; i--)
            word = word << 8 | summed[24 + i];
        local ^= word;
        atomic_fetch_add_explicit(w->done, 1, memory_order_relaxed);
    }
    w->finished_ns = arch_clock_ns();
    atomic_fetch_xor(w->sum, local);
    pow_rx_vm_destroy(vm);
    return NULL;
}

int bench_xmrig_sum(pow_rx_cache_t *cache, const pow_rx_dataset_t *dataset,
                    const pow_rx_variant_t *variant, pow_isa_t isa, uint64_t size, unsigned threads,
                    arch_topology_t *topo, const int *pus,
                    void (*progress)(uint64_t done, uint64_t size), bench_xmrig_result_t *out)
{
    memset(out, 0, sizeof(*out));
    sum_worker_t *workers = calloc(threads, sizeof(*workers));
    pthread_t *ids = calloc(threads, sizeof(*ids));
    if (workers == NULL || ids == NULL) {
        free(workers);
        free(ids);
        return -ENOMEM;
    }
    _Atomic uint64_t next_nonce = 0, sum = 0, done = 0;
    uint64_t start = arch_clock_ns();
    unsigned started = 0;
    int rc = 0;
    for (unsigned i = 0; i < threads; i++) {
        workers[i] = (sum_worker_t){
            cache,       dataset, variant, isa, size, topo, pus != NULL ? pus[i] : -1,
            &next_nonce, &sum,    &done,   0,   0};
        if (pthread_create(&ids[i], NULL, sum_worker, &workers[i]) != 0) {
            rc = -EAGAIN;
            break;
        }
        started++;
    }
    while (progress != NULL && started > 0 && atomic_load(&done) < size) {
        struct timespec nap = {0, 250000000L};
        nanosleep(&nap, NULL);
        progress(atomic_load(&done), size);
        int any_alive = 0;
        for (unsigned i = 0; i < started; i++)
            any_alive |= workers[i].rc == 0;
        if (!any_alive)
            break;
    }
    /* The progress poll may wake after the last hash: the time is the workers' own. */
    uint64_t end = start;
    for (unsigned i = 0; i < started; i++) {
        pthread_join(ids[i], NULL);
        if (workers[i].rc != 0)
            rc = workers[i].rc;
        if (workers[i].finished_ns > end)
            end = workers[i].finished_ns;
    }
    out->seconds = (double)(end - start) / 1e9;
    out->hashes = atomic_load(&done);
    out->sum = atomic_load(&sum);
    free(workers);
    free(ids);
    if (rc == 0 && started < threads)
        rc = -EAGAIN;
    return rc;
}

/*
 * xmrig/xmrig src/backend/common/benchmark/BenchState_test.h, multi-thread
 * column (../shared/notes/xmrig.md section 6). The 10K and 20K sums are
 * those XMRig's debug builds check; its release builds start at 250K.
 */
static const struct {
    const char *algo;
    uint64_t size;
    uint64_t sum;
} published[] = {
    {"rx/0", 10000, 0x4A597463865ACF0Eull},     {"rx/0", 20000, 0xC82B490C757DA738ull},
    {"rx/0", 250000, 0x7D6054757BB08A63ull},    {"rx/0", 500000, 0x96607546DE1F5ECCull},
    {"rx/0", 1000000, 0x898B6E0431C28A6Bull},   {"rx/0", 2000000, 0xEE9468F8B40926BCull},
    {"rx/0", 3000000, 0xC2BC5D11724813C0ull},   {"rx/0", 4000000, 0x3A2C7B285B87F941ull},
    {"rx/0", 5000000, 0x3B5BD2C3A16B450Eull},   {"rx/0", 6000000, 0x5CD0602F20C5C7C4ull},
    {"rx/0", 7000000, 0x101DE939474B6812ull},   {"rx/0", 8000000, 0x52B765A1B156C6ECull},
    {"rx/0", 9000000, 0x323935102AB6B45Cull},   {"rx/0", 10000000, 0xB5231262E2792B26ull},
    {"rx/2", 10000, 0x57d2051d099613a4ull},     {"rx/2", 20000, 0x0bae0155cc797f01ull},
    {"rx/2", 250000, 0x18cf741a71484072ull},    {"rx/2", 500000, 0xcd8c3e6ec31b2faeull},
    {"rx/2", 1000000, 0x88d6b8fb70cd479dull},   {"rx/2", 2000000, 0x0e16828d236a1a63ull},
    {"rx/2", 3000000, 0x2739bdd0f25b83a6ull},   {"rx/2", 4000000, 0x32f42d9006d2d34bull},
    {"rx/2", 5000000, 0x16d9c6286cb82251ull},   {"rx/2", 6000000, 0x1f916ae19d6bcf07ull},
    {"rx/2", 7000000, 0x1f474f99a873948full},   {"rx/2", 8000000, 0x8d67e0ddf05476bbull},
    {"rx/2", 9000000, 0x3ebf37dcd5c4a215ull},   {"rx/2", 10000000, 0x7efbddff3f30fb74ull},
    {"rx/wow", 10000, 0x6B0918757100B338ull},   {"rx/wow", 20000, 0x0B55785C1837F41Bull},
    {"rx/wow", 250000, 0xC7F712C9603E2603ull},  {"rx/wow", 500000, 0x21A0E5AAE6DA7D8Dull},
    {"rx/wow", 1000000, 0x0F3E5400B39EA96Aull}, {"rx/wow", 2000000, 0x85944CCFA2752D1Full},
    {"rx/wow", 3000000, 0x64AFFCAE991811BAull}, {"rx/wow", 4000000, 0x3E4D0B836D3B13BAull},
    {"rx/wow", 5000000, 0xEB7417D621271166ull}, {"rx/wow", 6000000, 0x97FFE10C0949FFA5ull},
    {"rx/wow", 7000000, 0x84CAC0F8879A4BA1ull}, {"rx/wow", 8000000, 0xA1B79F031DA2459Full},
    {"rx/wow", 9000000, 0x9B65226DA873E65Dull}, {"rx/wow", 10000000, 0x0F9E00C5A511C200ull},
};

uint64_t bench_xmrig_published_sum(const char *algo, uint64_t size)
{
    for (size_t i = 0; i < sizeof(published) / sizeof(published[0]); i++) {
        if (published[i].size == size && strcmp(published[i].algo, algo) == 0)
            return published[i].sum;
    }
    return 0;
}
