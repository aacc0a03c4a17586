/*
 * The worker pool shared by `mine`, `load` and the benchmarks: pinned
 * threads hash their own nonces of the current job and queue the hashes
 * that meet its target.
 *
 * A new job is published with one atomic generation counter; each worker
 * notices it after its current hash and switches, so neither side waits on
 * the other. Nonces never overlap: worker i of n hashes i, i + n, i + 2n ...
 * of each job, within the bits the pool left free. RandomX state (cache, and in fast mode the
 * dataset) is rebuilt only when the seed changes, and the old state keeps hashing the old job until
 * the new one is ready.
 */
#ifndef MINEMETER_MINER_MINER_H
#define MINEMETER_MINER_MINER_H

#include <stddef.h>
#include <stdint.h>

#include "arch/topology.h"
#include "pow/algo.h"

#define MINER_MAX_BLOB    256
#define MINER_MAX_THREADS 256

typedef struct {
    uint64_t job_id; /* the caller's name for the job, echoed in results */
    const pow_algo_t *algo;
    uint8_t blob[MINER_MAX_BLOB];
    size_t blob_len;
    size_t nonce_offset;       /* where the 4-byte little-endian nonce goes (39 for Monero) */
    uint32_t nonce_fixed_bits; /* nonce bits the pool fixed in the blob (nicehash: 0xFF000000) */
    uint32_t first_nonce;      /* worker i starts at first_nonce + i (resuming a job: past
                                  the nonces already tried) */
    uint64_t target;           /* a share when the judged bytes' last 8, little-endian, are below */
    uint64_t height;           /* cn/r */
    uint8_t seed[60];          /* RandomX key */
    size_t seed_len;
} miner_job_t;

/*
 * A share. Most algorithms judge the hash against the target; RandomX v2
 * (rx/2) judges its commitment, BLAKE2b-256(blob || hash), and pools want
 * both: the commitment as the result and the hash beside it.
 */
typedef struct {
    uint64_t job_id;
    uint32_t nonce;
    unsigned thread; /* the worker that found it */
    int has_commitment;
    uint8_t hash[32];
    uint8_t commitment[32]; /* when has_commitment */
} miner_result_t;

/*
 * Progress of a RandomX dataset build: report(context, items done, items in
 * all), called from the thread that builds about ten times a second and
 * once at the end.
 */
typedef struct {
    void (*report)(void *context, uint64_t done, uint64_t total);
    void *context;
} miner_build_progress_t;

typedef struct {
    unsigned threads;      /* 1 .. MINER_MAX_THREADS */
    const int *pus;        /* PU (OS index) per thread, -1 unpinned; NULL: one per core */
    arch_topology_t *topo; /* for pinning; NULL: no pinning */
    int randomx_fast;      /* build the 2080 MiB dataset for RandomX */
    pow_isa_t isa;         /* code path; POW_ISA_COUNT: the best for each algorithm */
    void (*on_result)(void *context); /* called from a worker after queueing a result */
    void *context;
    miner_build_progress_t dataset_progress; /* fast mode's builds (report NULL: none) */
} miner_config_t;

typedef struct miner miner_t;

/*
 * Whether a hash meets target: its last 8 bytes, little-endian, are below
 * it (how pools and daemons' candidate targets judge a share). For rx/2
 * pass the commitment, which is what the share test uses.
 */
static inline int miner_meets_target(const uint8_t hash_or_commitment[32], uint64_t target)
{
    uint64_t tail = 0;
    for (int i = 7; i >= 0; i--)
        tail = tail << 8 | hash_or_commitment[24 + i];
    return tail < target;
}

/* Starts the workers, idle until the first job. Returns 0 or a negative errno. */
int miner_create(miner_t **out, const miner_config_t *config);

/*
 * Publishes a job. For RandomX with a new seed this builds the new cache
 * (and dataset) first, in the calling thread, while the workers go on with
 * the previous job; when there is no room for both, the workers pause, the
 * old state is freed and the new one built. Returns 0, or, with the workers
 * paused (never left on the previous job): -EINVAL for a job that cannot be
 * hashed (bad lengths, nonce outside the blob, unavailable path), or -ENOMEM.
 */
int miner_set_job(miner_t *miner, const miner_job_t *job);

/* Stops hashing (workers idle) until the next job. */
void miner_pause(miner_t *miner);

/* Moves up to max queued results into out; returns how many. */
size_t miner_take_results(miner_t *miner, miner_result_t *out, size_t max);

/* Hashes done by all workers together (the sum of miner_thread_hashes). */
uint64_t miner_hashes(const miner_t *miner);

/* Hashes done by worker i since it started (read without locks; may lag a hash). */
uint64_t miner_thread_hashes(const miner_t *miner, unsigned i);

/*
 * Whether every worker is hashing job_id; if so, *last_start_ns is when the
 * last of them started (arch_clock_ns), for measuring job switch latency.
 * Returns 0, or -1 while some worker is elsewhere.
 */
int miner_job_started(const miner_t *miner, uint64_t job_id, uint64_t *last_start_ns);

/*
 * Each worker hashes this percent (1-100) of its CPU time and idles the
 * rest, in every 100 ms period of the monotonic clock (for `minemeter
 * load`; miner/duty_cycle.h says how exactly). Default 100. 0 holds every
 * worker idle with its job kept, so jobs published meanwhile wait too
 * (a pool's jobs during load's idle phases), until the intensity rises.
 */
void miner_set_intensity(miner_t *miner, unsigned percent);

/* CPU time used by worker i so far (its thread's CPU clock), 0 if unknown. */
uint64_t miner_thread_cpu_ns(const miner_t *miner, unsigned i);

/* Worker i's thread id (as /proc/PID/task/TID and ps -L show it; named minemeter-wI), 0 if not
 * running yet. */
int miner_thread_tid(const miner_t *miner, unsigned i);

/*
 * How many workers can stop a hash part way for --intensity (a CPU-time
 * timer was made for them); the others stop between hashes only.
 */
unsigned miner_duty_timers(const miner_t *miner);

/* Whether the miner is paused and every worker has stopped hashing (a hash under way has ended). */
int miner_idle(miner_t *miner);

/*
 * RandomX datasets the newest seed's state has: 0 in light mode, 1, or one
 * per NUMA node the workers run on (miner/rx_dataset_build.h).
 */
unsigned miner_rx_datasets(const miner_t *miner);

/* Results dropped because the queue was full. */
uint64_t miner_results_dropped(const miner_t *miner);

/* Stops and joins the workers and frees everything. */
void miner_destroy(miner_t *miner);

#endif
