#include "config.h"
#include "miner/rx_dataset_build.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>

typedef struct {
    pow_rx_dataset_t *dataset;
    const pow_rx_cache_t *cache;
    arch_topology_t *topo;
    int pu;
    uint64_t start, count;
} range_t;

static void *build_range(void *arg)
{
    range_t *r = arg;
    if (r->topo != NULL && r->pu >= 0) {
        arch_pin_kind_t kind;
        arch_topology_pin_thread(r->topo, (unsigned)r->pu, &kind);
    }
    pow_rx_dataset_init(r->dataset, r->cache, r->start, r->count);
    return NULL;
}

int miner_build_dataset(pow_rx_dataset_t *dataset, const pow_rx_cache_t *cache, unsigned threads,
                        arch_topology_t *topo, const int *pus)
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
    uint64_t total = pow_rx_dataset_item_count(), per = total / threads;
    unsigned started = 0;
    int rc = 0;
    for (unsigned i = 0; i < threads; i++) {
        ranges[i] = (range_t){dataset, cache,
                              topo,    pus != NULL ? pus[i] : -1,
                              per * i, i + 1 == threads ? total - per * i : per};
        /* Without a thread, this range is built here, after the others started. */
        if (pthread_create(&ids[i], NULL, build_range, &ranges[i]) != 0) {
            rc = -EAGAIN;
            break;
        }
        started++;
    }
    for (unsigned i = started; i < threads && rc != 0; i++)
        build_range(&ranges[i]);
    for (unsigned i = 0; i < started; i++)
        pthread_join(ids[i], NULL);
    free(ranges);
    free(ids);
    return 0;
}
