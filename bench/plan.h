/*
 * What a benchmark run measures, from the command line's words: the
 * algorithms with their RandomX modes ("rx/0:fast,cn/r"), the thread
 * counts ("1,2,4") and XMRig's --bench-size counts ("250K", "1M").
 * Errors come back as one sentence in why.
 */
#ifndef MINEMETER_BENCH_PLAN_H
#define MINEMETER_BENCH_PLAN_H

#include <stddef.h>
#include <stdint.h>

#include "pow/algo.h"

#define BENCH_MAX_ALGOS  32
#define BENCH_MAX_REPEAT 64
#define BENCH_SIZE_MAX   ((uint64_t)1 << 32) /* every 32-bit nonce once */

typedef struct {
    const pow_algo_t *algo;
    int fast; /* RandomX: the dataset (fast) or the cache (light) */
} bench_plan_item_t;

/*
 * "rx/0:fast,cn/r" into items: RandomX entries without a mode get every
 * mode named in modes ("fast", "light", "both" or "fast,light"). Returns 0
 * or -1.
 */
int bench_plan_parse(const char *list, const char *modes, bench_plan_item_t *items, unsigned *count,
                     char *why, size_t why_len);

/* "1,2,4" into thread counts, sorted, each count once ("2,1,2" is 1,2). Returns 0 or -1. */
int bench_threads_parse(const char *list, unsigned *threads, unsigned *count, char *why,
                        size_t why_len);

/* "250K", "1M", "12345": a count of at least 10000; 0 on error. */
uint64_t bench_size_parse(const char *text, char *why, size_t why_len);

#endif
