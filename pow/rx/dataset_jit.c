/*
 * What the dataset item compilers of every architecture share: the checks
 * before a compilation, the release, and the answer where no compiler is
 * built (dataset_jit_x86_64.c and dataset_jit_aarch64.c compile).
 */
#include "config.h"
#include "arch/jit_memory.h"
#include "pow/rx/dataset_jit.h"

#include <errno.h>
#include <string.h>

#define LINE_BYTES 64

int pow_rx__dataset_jit_begin(pow_rx_dataset_jit_t *jit, const pow_rx_superscalar_t programs[8],
                              size_t cache_bytes, size_t buffer_bytes)
{
    jit->fn = NULL;
    jit->batch_fn = NULL;
    jit->wide.eight = NULL;
    jit->wide.four = NULL;
    if (cache_bytes < LINE_BYTES || (cache_bytes & (cache_bytes - 1)) != 0)
        return -EINVAL;
    for (int i = 0; i < 8; i++) {
        if (!pow_rx_superscalar_well_formed(&programs[i]))
            return -EINVAL;
    }
    int rc = arch_jit_memory_writable(&jit->code, buffer_bytes);
    if (rc != 0)
        return rc;
    jit->size = buffer_bytes;
    return 0;
}

#if !defined(__x86_64__) && !defined(__aarch64__)

int pow_rx_dataset_jit_supported(void)
{
    return 0;
}

int pow_rx_dataset_jit_compile(pow_rx_dataset_jit_t *jit, const pow_rx_superscalar_t programs[8],
                               size_t cache_bytes)
{
    (void)programs;
    (void)cache_bytes;
    jit->fn = NULL;
    jit->batch_fn = NULL;
    jit->wide.eight = NULL;
    jit->wide.four = NULL;
    return -ENOTSUP;
}

#endif

void pow_rx_dataset_jit_release(pow_rx_dataset_jit_t *jit)
{
    pow_rx__dataset_wide_release(&jit->wide);
    arch_jit_memory_free(jit->code, jit->size);
    memset(jit, 0, sizeof(*jit));
}
