/*
 * miner/job_feeder.c: offers never wait for a publication in progress, and
 * while one is in progress only the newest offer is kept.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <pthread.h>
#include <string.h>

#include "miner/job_feeder.h"
#include "pow/algo.h"

typedef struct {
    pthread_mutex_t lock;
    pthread_cond_t changed;
    int release_first; /* the test lets the first publication's callback return */
    uint64_t seen[8];
    int rcs[8];
    unsigned count;
} record_t;

static void on_published(void *context, const miner_job_t *job, int rc, double seconds)
{
    (void)seconds;
    record_t *r = context;
    pthread_mutex_lock(&r->lock);
    if (r->count < 8) {
        r->rcs[r->count] = rc;
        r->seen[r->count++] = job->job_id;
    }
    pthread_cond_broadcast(&r->changed);
    /* Hold the feeder inside its first publication until the test says so. */
    while (r->count == 1 && !r->release_first)
        pthread_cond_wait(&r->changed, &r->lock);
    pthread_mutex_unlock(&r->lock);
}

static miner_job_t job_numbered(uint64_t id)
{
    miner_job_t job;
    memset(&job, 0, sizeof(job));
    job.job_id = id;
    job.algo = pow_algo_find("cn/upx2");
    job.blob_len = 76;
    job.blob[0] = (uint8_t)id;
    job.nonce_offset = 39;
    job.target = 0; /* no shares */
    return job;
}

static void wait_count(record_t *r, unsigned n)
{
    pthread_mutex_lock(&r->lock);
    while (r->count < n)
        pthread_cond_wait(&r->changed, &r->lock);
    pthread_mutex_unlock(&r->lock);
}

Test(miner_feeder, only_the_newest_offer_waits_behind_a_publication, .timeout = 60)
{
    record_t r = {.lock = PTHREAD_MUTEX_INITIALIZER, .changed = PTHREAD_COND_INITIALIZER};
    miner_config_t config = {.threads = 1, .isa = POW_ISA_COUNT};
    miner_t *m = NULL;
    cr_assert_eq(miner_create(&m, &config), 0);
    miner_feeder_t *f = NULL;
    cr_assert_eq(miner_feeder_create(&f, m, on_published, &r), 0);

    miner_job_t job = job_numbered(1);
    miner_feeder_offer(f, &job);
    wait_count(&r, 1); /* the feeder is now held inside publication 1 */
    for (uint64_t id = 2; id <= 4; id++) {
        job = job_numbered(id);
        miner_feeder_offer(f, &job); /* returns although the feeder is busy */
    }
    pthread_mutex_lock(&r.lock);
    r.release_first = 1;
    pthread_cond_broadcast(&r.changed);
    pthread_mutex_unlock(&r.lock);
    wait_count(&r, 2);

    miner_feeder_destroy(f);
    miner_destroy(m);
    cr_expect_eq(r.count, 2, "jobs 2 and 3 were superseded before their turn");
    cr_expect_eq(r.seen[0], 1);
    cr_expect_eq(r.seen[1], 4);
    cr_expect_eq(r.rcs[0], 0);
    cr_expect_eq(r.rcs[1], 0);
}

Test(miner_feeder, reports_a_job_the_miner_refuses)
{
    record_t r = {
        .lock = PTHREAD_MUTEX_INITIALIZER, .changed = PTHREAD_COND_INITIALIZER, .release_first = 1};
    miner_config_t config = {.threads = 1, .isa = POW_ISA_COUNT};
    miner_t *m = NULL;
    cr_assert_eq(miner_create(&m, &config), 0);
    miner_feeder_t *f = NULL;
    cr_assert_eq(miner_feeder_create(&f, m, on_published, &r), 0);
    miner_job_t job = job_numbered(9);
    job.nonce_offset = 74; /* the nonce would run past the blob */
    miner_feeder_offer(f, &job);
    wait_count(&r, 1);
    miner_feeder_destroy(f);
    miner_destroy(m);
    cr_expect_eq(r.rcs[0], -EINVAL);
}
