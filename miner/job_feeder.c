#include "config.h"
#include "miner/job_feeder.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>

#include "arch/clock.h"

enum { NOTHING, PUBLISH, PAUSE };

struct miner_feeder {
    miner_t *miner;
    miner_feeder_published_fn published;
    void *context;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    int pending; /* NOTHING, PUBLISH or PAUSE */
    int stop;
    miner_job_t job;
};

static void *feeder_main(void *arg)
{
    miner_feeder_t *f = arg;
    pthread_mutex_lock(&f->lock);
    for (;;) {
        while (!f->stop && f->pending == NOTHING)
            pthread_cond_wait(&f->wake, &f->lock);
        if (f->stop)
            break;
        int what = f->pending;
        miner_job_t job = f->job;
        f->pending = NOTHING;
        pthread_mutex_unlock(&f->lock);
        if (what == PAUSE) {
            miner_pause(f->miner);
        } else {
            uint64_t start = arch_clock_ns();
            int rc = miner_set_job(f->miner, &job);
            if (f->published != NULL)
                f->published(f->context, &job, rc, (double)(arch_clock_ns() - start) / 1e9);
        }
        pthread_mutex_lock(&f->lock);
    }
    pthread_mutex_unlock(&f->lock);
    return NULL;
}

int miner_feeder_create(miner_feeder_t **out, miner_t *miner, miner_feeder_published_fn published,
                        void *context)
{
    *out = NULL;
    miner_feeder_t *f = calloc(1, sizeof(*f));
    if (f == NULL)
        return -ENOMEM;
    f->miner = miner;
    f->published = published;
    f->context = context;
    pthread_mutex_init(&f->lock, NULL);
    pthread_cond_init(&f->wake, NULL);
    if (pthread_create(&f->thread, NULL, feeder_main, f) != 0) {
        pthread_mutex_destroy(&f->lock);
        pthread_cond_destroy(&f->wake);
        free(f);
        return -EAGAIN;
    }
    *out = f;
    return 0;
}

static void request(miner_feeder_t *f, int what, const miner_job_t *job)
{
    pthread_mutex_lock(&f->lock);
    if (job != NULL)
        f->job = *job;
    f->pending = what;
    pthread_cond_signal(&f->wake);
    pthread_mutex_unlock(&f->lock);
}

void miner_feeder_offer(miner_feeder_t *f, const miner_job_t *job)
{
    request(f, PUBLISH, job);
}

void miner_feeder_pause(miner_feeder_t *f)
{
    request(f, PAUSE, NULL);
}

void miner_feeder_destroy(miner_feeder_t *f)
{
    if (f == NULL)
        return;
    pthread_mutex_lock(&f->lock);
    f->stop = 1;
    pthread_cond_signal(&f->wake);
    pthread_mutex_unlock(&f->lock);
    pthread_join(f->thread, NULL);
    pthread_mutex_destroy(&f->lock);
    pthread_cond_destroy(&f->wake);
    free(f);
}
