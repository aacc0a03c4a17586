#include "miner/synthetic_job.h"

#include <string.h>

#include "arch/clock.h"

void miner_synthetic_job(const pow_algo_t *algo, const char *seed_text, miner_job_t *job)
{
    memset(job, 0, sizeof(*job));
    job->job_id = 1;
    job->algo = algo;
    job->blob_len = 76;
    uint64_t x = arch_clock_ns() | 1;
    for (size_t i = 0; i < job->blob_len; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        job->blob[i] = (uint8_t)x;
    }
    job->nonce_offset = 39;
    job->target = 0;
    job->height = 3000000;
    size_t len = strlen(seed_text);
    job->seed_len = len < sizeof(job->seed) ? len : sizeof(job->seed);
    memcpy(job->seed, seed_text, job->seed_len);
}
