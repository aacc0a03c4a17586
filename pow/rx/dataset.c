/*
 * The RandomX dataset (spec 7.3): every item computed once from the cache,
 * so that hashing reads memory instead of running eight SuperscalarHash
 * programs per read.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "arch/pages.h"
#include "pow/rx/dataset_memory.h"
#include "pow/rx/randomx.h"

struct pow_rx_dataset {
    arch_pages_t memory;
};

#define DATASET_BYTES ((size_t)RX_DATASET_BASE_SIZE + RX_DATASET_EXTRA_SIZE)

uint64_t pow_rx_dataset_item_count(void)
{
    return DATASET_BYTES / RX_DATASET_ITEM_SIZE;
}

pow_rx_dataset_t *pow_rx_dataset_alloc(int try_1g)
{
    pow_rx_dataset_t *ds = calloc(1, sizeof(*ds));
    if (ds == NULL)
        return NULL;
    if (arch_pages_alloc(&ds->memory, DATASET_BYTES, try_1g ? ARCH_PAGES_TRY_1G : 0) != 0) {
        free(ds);
        return NULL;
    }
    return ds;
}

void pow_rx_dataset_init(pow_rx_dataset_t *ds, const pow_rx_cache_t *cache, uint64_t start,
                         uint64_t count)
{
    uint8_t *base = ds->memory.ptr;
    uint64_t end = start + count;
    if (end > pow_rx_dataset_item_count())
        end = pow_rx_dataset_item_count();
    if (start < end)
        pow_rx_cache_dataset_items(cache, start, end - start, base + start * RX_DATASET_ITEM_SIZE);
}

void pow_rx_dataset_copy(pow_rx_dataset_t *dst, const pow_rx_dataset_t *src, uint64_t start,
                         uint64_t count)
{
    uint64_t end = start + count;
    if (end > pow_rx_dataset_item_count())
        end = pow_rx_dataset_item_count();
    if (start < end)
        memcpy((uint8_t *)dst->memory.ptr + start * RX_DATASET_ITEM_SIZE,
               (const uint8_t *)src->memory.ptr + start * RX_DATASET_ITEM_SIZE,
               (size_t)(end - start) * RX_DATASET_ITEM_SIZE);
}

void *pow_rx_dataset_memory(pow_rx_dataset_t *ds, size_t *len)
{
    *len = DATASET_BYTES;
    return ds->memory.ptr;
}

const char *pow_rx_dataset_pages(const pow_rx_dataset_t *ds)
{
    return arch_pages_kind_name(ds->memory.kind);
}

const uint8_t *pow_rx__dataset_memory(const pow_rx_dataset_t *ds)
{
    return ds->memory.ptr;
}

void pow_rx_dataset_release(pow_rx_dataset_t *ds)
{
    if (ds == NULL)
        return;
    arch_pages_free(&ds->memory);
    free(ds);
}
