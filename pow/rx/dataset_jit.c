/*
 * What the dataset item compilers of every architecture share: the checks
 * before a compilation, the code memory around it, the release, and the
 * answer where no compiler is built (dataset_jit_x86_64.c and
 * dataset_jit_aarch64.c write the code).
 */
#include "config.h"
#include "arch/jit_memory.h"
#include "pow/rx/dataset_jit.h"

#include <errno.h>
#include <string.h>

#define LINE_BYTES 64

/* No function until a compilation succeeds. */
static void clear_functions(pow_rx_dataset_jit_t *jit)
{
    jit->fn = NULL;
    jit->batch_fn = NULL;
    jit->wide.eight = NULL;
    jit->wide.four = NULL;
}

#if defined(__x86_64__) || defined(__aarch64__)

int pow_rx_dataset_jit_supported(void)
{
    return 1;
}

int pow_rx_dataset_jit_compile(pow_rx_dataset_jit_t *jit, const pow_rx_superscalar_t programs[8],
                               size_t cache_bytes)
{
    clear_functions(jit);
    if (cache_bytes < LINE_BYTES || (cache_bytes & (cache_bytes - 1)) != 0)
        return -EINVAL;
    for (int i = 0; i < 8; i++) {
        if (!pow_rx_superscalar_well_formed(&programs[i]))
            return -EINVAL;
    }
    int rc = arch_jit_memory_writable(&jit->code, POW_RX_DATASET_JIT_BUFFER_SIZE);
    if (rc != 0)
        return rc;
    jit->size = POW_RX_DATASET_JIT_BUFFER_SIZE;

    size_t batch_offset;
    size_t used =
        pow_rx__dataset_jit_emit(jit->code, jit->size, programs, cache_bytes, &batch_offset);
    rc = arch_jit_memory_executable(jit->code, jit->size, used);
    if (rc != 0)
        return rc;
    /* The wide functions are a bonus: where they cannot be had, the batch function serves. */
    (void)pow_rx__dataset_wide_compile(&jit->wide, programs, cache_bytes / LINE_BYTES - 1);
    jit->fn = (pow_rx_dataset_item_fn)(void *)jit->code;
    jit->batch_fn = (pow_rx_dataset_batch_fn)(void *)(jit->code + batch_offset);
    return 0;
}

#else

int pow_rx_dataset_jit_supported(void)
{
    return 0;
}

int pow_rx_dataset_jit_compile(pow_rx_dataset_jit_t *jit, const pow_rx_superscalar_t programs[8],
                               size_t cache_bytes)
{
    (void)programs;
    (void)cache_bytes;
    clear_functions(jit);
    return -ENOTSUP;
}

#endif

void pow_rx_dataset_jit_release(pow_rx_dataset_jit_t *jit)
{
    pow_rx__dataset_wide_release(&jit->wide);
    arch_jit_memory_free(jit->code, jit->size);
    memset(jit, 0, sizeof(*jit));
}
