#include "config.h"
#include "bench/plan.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/throughput.h"

static int add_item(bench_plan_item_t *items, unsigned *count, const pow_algo_t *algo, int fast,
                    char *why, size_t why_len)
{
    if (*count == BENCH_MAX_ALGOS) {
        snprintf(why, why_len, "at most %d measurements at once", BENCH_MAX_ALGOS);
        return -1;
    }
    items[(*count)++] = (bench_plan_item_t){algo, fast};
    return 0;
}

/* "fast", "light", "both" or "fast,light" (in either order); -1 for anything else. */
static int parse_modes(const char *modes, int *want_fast, int *want_light)
{
    *want_fast = *want_light = 0;
    if (strcmp(modes, "both") == 0) {
        *want_fast = *want_light = 1;
        return 0;
    }
    char copy[64];
    if (snprintf(copy, sizeof(copy), "%s", modes) >= (int)sizeof(copy))
        return -1;
    char *save = NULL;
    int words = 0;
    for (char *m = strtok_r(copy, ",", &save); m != NULL; m = strtok_r(NULL, ",", &save), words++) {
        if (strcmp(m, "fast") == 0)
            *want_fast = 1;
        else if (strcmp(m, "light") == 0)
            *want_light = 1;
        else
            return -1;
    }
    return words > 0 ? 0 : -1;
}

int bench_plan_parse(const char *list, const char *modes, bench_plan_item_t *items, unsigned *count,
                     char *why, size_t why_len)
{
    int want_fast, want_light;
    if (parse_modes(modes, &want_fast, &want_light) != 0) {
        snprintf(why, why_len, "--mode takes fast, light, both or auto, not '%s'", modes);
        return -1;
    }
    char copy[512];
    snprintf(copy, sizeof(copy), "%s", list);
    *count = 0;
    char *save = NULL;
    for (char *name = strtok_r(copy, ",", &save); name != NULL; name = strtok_r(NULL, ",", &save)) {
        char *mode = strchr(name, ':');
        if (mode != NULL)
            *mode++ = '\0';
        const pow_algo_t *algo = pow_algo_find(name);
        if (algo == NULL) {
            pow_algo_unknown(name, why, why_len);
            return -1;
        }
        int is_rx = pow_algo_rx(algo) != NULL;
        if (mode != NULL && (!is_rx || (strcmp(mode, "fast") != 0 && strcmp(mode, "light") != 0))) {
            snprintf(why, why_len, "'%s:%s': only RandomX has modes, fast or light", name, mode);
            return -1;
        }
        int rc = 0;
        if (!is_rx)
            rc = add_item(items, count, algo, 0, why, why_len);
        else if (mode != NULL)
            rc = add_item(items, count, algo, strcmp(mode, "fast") == 0, why, why_len);
        else {
            if (want_fast)
                rc = add_item(items, count, algo, 1, why, why_len);
            if (rc == 0 && want_light)
                rc = add_item(items, count, algo, 0, why, why_len);
        }
        if (rc != 0)
            return -1;
    }
    if (*count == 0) {
        snprintf(why, why_len, "--algo needs at least one algorithm");
        return -1;
    }
    return 0;
}

int bench_threads_parse(const char *list, unsigned *threads, unsigned *count, char *why,
                        size_t why_len)
{
    char copy[512];
    snprintf(copy, sizeof(copy), "%s", list);
    *count = 0;
    char *save = NULL;
    for (char *item = strtok_r(copy, ",", &save); item != NULL; item = strtok_r(NULL, ",", &save)) {
        char *end = NULL;
        errno = 0;
        unsigned long n = strtoul(item, &end, 10);
        if (end == item || *end != '\0' || errno != 0 || item[0] == '-' || n < 1 ||
            n > BENCH_MAX_THREADS) {
            snprintf(why, why_len, "--threads takes counts from 1 to %d, not '%s'",
                     BENCH_MAX_THREADS, item);
            return -1;
        }
        /* Kept sorted and each count once: scaling reads against the smallest count. */
        unsigned at = 0;
        while (at < *count && threads[at] < n)
            at++;
        if (at < *count && threads[at] == n)
            continue;
        if (*count == BENCH_MAX_THREADS) {
            snprintf(why, why_len, "too many thread counts");
            return -1;
        }
        memmove(&threads[at + 1], &threads[at], (*count - at) * sizeof(threads[0]));
        threads[at] = (unsigned)n;
        (*count)++;
    }
    if (*count == 0) {
        snprintf(why, why_len, "--threads needs at least one number");
        return -1;
    }
    return 0;
}

uint64_t bench_size_parse(const char *text, char *why, size_t why_len)
{
    char *end = NULL;
    errno = 0;
    unsigned long long n = strtoull(text, &end, 10);
    uint64_t scale = 1;
    if (end != text && (*end == 'K' || *end == 'k'))
        scale = 1000, end++;
    else if (end != text && (*end == 'M' || *end == 'm'))
        scale = 1000000, end++;
    /* Nonces are 32 bits: a larger run would hash some of them twice. */
    if (end == text || *end != '\0' || errno != 0 || text[0] == '-' || n > BENCH_SIZE_MAX ||
        n * scale < 10000 || n * scale > BENCH_SIZE_MAX) {
        snprintf(why, why_len,
                 "--bench-size takes a count from 10K to 4294967296 (every 32-bit nonce once) "
                 "such as 250K or 1M, not '%s'",
                 text);
        return 0;
    }
    return (uint64_t)n * scale;
}
