#include "config.h"
#include "miner/rx_dataset_build.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "arch/memory.h"

/* What the filling threads share: items done, and threads finished, for the progress report. */
typedef struct {
    _Atomic uint64_t done;
    unsigned finished;
    pthread_mutex_t lock;
    pthread_cond_t ended;
} shared_t;

/* One thread's share: items computed from a cache, or copied from another dataset. */
typedef struct {
    pow_rx_dataset_t *dataset;
    const pow_rx_cache_t *cache;
    const pow_rx_dataset_t *source;
    arch_topology_t *topo;
    int pu;
    uint64_t start, count;
    shared_t *shared;
} range_t;

/* Items a thread fills between two counts of its progress: 2 MiB of dataset. */
#define CHUNK_ITEMS ((uint64_t)1 << 15)

static void *fill_range(void *arg)
{
    range_t *r = arg;
    if (r->topo != NULL && r->pu >= 0) {
        arch_pin_kind_t kind;
        arch_topology_pin_thread(r->topo, (unsigned)r->pu, &kind);
    }
    for (uint64_t at = 0; at < r->count; at += CHUNK_ITEMS) {
        uint64_t n = r->count - at < CHUNK_ITEMS ? r->count - at : CHUNK_ITEMS;
        if (r->source != NULL)
            pow_rx_dataset_copy(r->dataset, r->source, r->start + at, n);
        else
            pow_rx_dataset_init(r->dataset, r->cache, r->start + at, n);
        atomic_fetch_add_explicit(&r->shared->done, n, memory_order_relaxed);
    }
    pthread_mutex_lock(&r->shared->lock);
    r->shared->finished++;
    pthread_cond_signal(&r->shared->ended);
    pthread_mutex_unlock(&r->shared->lock);
    return NULL;
}

/* Reports the items done every 100 ms until started threads have finished. */
static void report_until_done(shared_t *shared, unsigned started,
                              const miner_build_progress_t *progress, uint64_t total)
{
    progress->report(progress->context, 0, total);
    pthread_mutex_lock(&shared->lock);
    while (shared->finished < started) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += 100000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&shared->ended, &shared->lock, &until);
        pthread_mutex_unlock(&shared->lock);
        progress->report(progress->context, atomic_load(&shared->done), total);
        pthread_mutex_lock(&shared->lock);
    }
    pthread_mutex_unlock(&shared->lock);
}

/* Every item of dataset, in equal ranges over threads on pus (from cache, or source when set). */
static int fill_in_parallel(pow_rx_dataset_t *dataset, const pow_rx_cache_t *cache,
                            const pow_rx_dataset_t *source, unsigned threads, arch_topology_t *topo,
                            const int *pus, const miner_build_progress_t *progress)
{
    if (threads == 0)
        threads = 1;
    range_t *ranges = calloc(threads, sizeof(*ranges));
    pthread_t *ids = calloc(threads, sizeof(*ids));
    if (ranges == NULL || ids == NULL) {
        free(ranges);
        free(ids);
        return -ENOMEM;
    }
    shared_t shared = {.finished = 0};
    atomic_init(&shared.done, 0);
    pthread_mutex_init(&shared.lock, NULL);
    pthread_cond_init(&shared.ended, NULL);
    uint64_t total = pow_rx_dataset_item_count(), per = total / threads;
    unsigned started = 0;
    int rc = 0;
    for (unsigned i = 0; i < threads; i++) {
        ranges[i] = (range_t){dataset,
                              cache,
                              source,
                              topo,
                              pus != NULL ? pus[i] : -1,
                              per * i,
                              i + 1 == threads ? total - per * i : per,
                              &shared};
        /* Without a thread, this range is filled here, after the others started. */
        if (pthread_create(&ids[i], NULL, fill_range, &ranges[i]) != 0) {
            rc = -EAGAIN;
            break;
        }
        started++;
    }
    if (progress != NULL && progress->report != NULL && rc == 0)
        report_until_done(&shared, started, progress, total);
    for (unsigned i = started; i < threads && rc != 0; i++)
        fill_range(&ranges[i]);
    for (unsigned i = 0; i < started; i++)
        pthread_join(ids[i], NULL);
    if (progress != NULL && progress->report != NULL)
        progress->report(progress->context, total, total);
    pthread_cond_destroy(&shared.ended);
    pthread_mutex_destroy(&shared.lock);
    free(ranges);
    free(ids);
    return 0;
}

int miner_build_dataset(pow_rx_dataset_t *dataset, const pow_rx_cache_t *cache, unsigned threads,
                        arch_topology_t *topo, const int *pus,
                        const miner_build_progress_t *progress)
{
    return fill_in_parallel(dataset, cache, NULL, threads, topo, pus, progress);
}

void miner_plan_datasets(const arch_topology_t *topo, const int *pus, unsigned threads,
                         miner_dataset_plan_t *plan)
{
    memset(plan, 0, sizeof(*plan));
    if (threads > MINER_MAX_THREADS)
        threads = MINER_MAX_THREADS;
    if (topo != NULL && pus != NULL && arch_topology_count(topo, ARCH_TOPO_NUMA) > 1) {
        for (unsigned i = 0; i < threads; i++) {
            int node = arch_topology_pu_numa(topo, pus[i]);
            if (node < 0)
                continue; /* unpinned: the first dataset */
            unsigned k = 0;
            while (k < plan->count && plan->node[k] != node)
                k++;
            if (k == plan->count) {
                if (plan->count == MINER_MAX_NODES)
                    continue;
                plan->node[plan->count++] = node;
            }
            plan->slot[i] = (uint8_t)k;
        }
    }
    if (plan->count == 0) {
        plan->count = 1;
        plan->node[0] = -1;
    }
}

/* Binds dataset to node when there is one to bind to; a refusal leaves the OS's placement. */
static void bind_to(pow_rx_dataset_t *dataset, arch_topology_t *topo, int node)
{
    if (topo == NULL || node < 0)
        return;
    size_t len;
    void *memory = pow_rx_dataset_memory(dataset, &len);
    (void)arch_topology_bind_memory(topo, memory, len, (unsigned)node);
}

int miner_dataset_fits(char *why, size_t why_len)
{
    return arch_memory_fits(pow_rx_dataset_item_count() * 64 + (64u << 20),
                            "the RandomX dataset (2080 MiB) with a 64 MiB margin", why, why_len);
}

unsigned miner_huge_pages_for(unsigned datasets, unsigned threads)
{
    const uint64_t page = 2u << 20, cache = 256u << 20;
    uint64_t dataset = pow_rx_dataset_item_count() * 64;
    uint64_t per_dataset = (dataset + page - 1) / page + cache / page;
    /* Each side's scratchpads (2 MiB a thread), and a few spare for what else maps pages. */
    return (unsigned)(datasets * (per_dataset + threads)) + 16;
}

int miner_build_datasets(miner_dataset_plan_t *plan, pow_rx_dataset_t **datasets,
                         const pow_rx_cache_t *cache, int try_1g, unsigned threads,
                         arch_topology_t *topo, const int *pus,
                         const miner_build_progress_t *progress)
{
    memset(datasets, 0, plan->count * sizeof(*datasets));
    /* Refused here rather than killed by the kernel (or a cgroup) half way through the fill. */
    char why[256];
    if (!miner_dataset_fits(why, sizeof(why)))
        return -ENOMEM;
    datasets[0] = pow_rx_dataset_alloc(try_1g);
    if (datasets[0] == NULL)
        return -ENOMEM;
    bind_to(datasets[0], topo, plan->node[0]);
    int rc = fill_in_parallel(datasets[0], cache, NULL, threads, topo, pus, progress);
    if (rc != 0) {
        pow_rx_dataset_release(datasets[0]);
        datasets[0] = NULL;
        return rc;
    }
    int local[MINER_MAX_THREADS];
    for (unsigned k = 1; k < plan->count; k++) {
        unsigned n = 0;
        for (unsigned i = 0; i < threads && i < MINER_MAX_THREADS; i++) {
            if (plan->slot[i] == k)
                local[n++] = pus[i];
        }
        datasets[k] = miner_dataset_fits(why, sizeof(why)) ? pow_rx_dataset_alloc(try_1g) : NULL;
        if (datasets[k] != NULL) {
            bind_to(datasets[k], topo, plan->node[k]);
            if (fill_in_parallel(datasets[k], NULL, datasets[0], n, topo, local, NULL) == 0)
                continue;
            pow_rx_dataset_release(datasets[k]);
            datasets[k] = NULL;
        }
        for (unsigned i = 0; i < threads && i < MINER_MAX_THREADS; i++) {
            if (plan->slot[i] == k)
                plan->slot[i] = 0; /* no memory for this node's copy: read the first */
        }
    }
    return 0;
}
