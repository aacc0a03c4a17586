/*
 * Hands jobs to the miner from a thread of its own, so that whoever
 * receives them (the Stratum loop, the daemon poller) never waits while a
 * new RandomX seed's cache or dataset is built. Only the newest job waits:
 * a job offered while another is still being published replaces the
 * pending one, since the pool has moved on.
 */
#ifndef MINEMETER_MINER_JOB_FEEDER_H
#define MINEMETER_MINER_JOB_FEEDER_H

#include "miner/miner.h"

typedef struct miner_feeder miner_feeder_t;

/*
 * Called from the feeder's thread after each miner_set_job, with its
 * return code and how long it took (the seed rebuild, if any).
 */
typedef void (*miner_feeder_published_fn)(void *context, const miner_job_t *job, int rc,
                                          double seconds);

/* Starts the feeder for miner. Returns 0 or a negative errno. */
int miner_feeder_create(miner_feeder_t **out, miner_t *miner, miner_feeder_published_fn published,
                        void *context);

/* Queues job (copied), replacing any job not yet published. Never waits for a publication. */
void miner_feeder_offer(miner_feeder_t *feeder, const miner_job_t *job);

/* Pauses the miner after any publication in progress; a later offer resumes. */
void miner_feeder_pause(miner_feeder_t *feeder);

/* Stops the thread (after a publication in progress) and frees the feeder; safe on NULL. */
void miner_feeder_destroy(miner_feeder_t *feeder);

#endif
