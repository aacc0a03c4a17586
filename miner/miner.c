/*
 * The worker pool. Workers only read shared state at a job switch (under
 * job_lock, rare) and write their own counters; the hot loop takes no lock
 * and allocates nothing. Results are rare and go through a small mutex-
 * protected ring.
 */
#define _GNU_SOURCE
#include "config.h"
#include "miner/miner.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "arch/clock.h"
#include "arch/pages.h"
#include "miner/duty_cycle.h"
#include "miner/placement.h"
#include "miner/rx_dataset_build.h"
#include "pow/cn/cn.h"
#include "pow/rx/group.h"
#include "pow/rx/randomx.h"

#define RESULT_QUEUE 256

/* RandomX state for one seed, shared read-only by the workers. */
typedef struct {
    const pow_rx_variant_t *variant;
    uint8_t seed[60];
    size_t seed_len;
    pow_rx_cache_t *cache;
    miner_dataset_plan_t plan; /* fast mode: which dataset each worker reads */
    pow_rx_dataset_t *datasets[MINER_MAX_NODES];
    uint64_t published_at; /* generation of the first job that used it */
} rx_state_t;

typedef struct {
    struct miner *miner;
    unsigned index;
    int pu;
    pthread_t id;
    _Atomic uint64_t hashes;
    _Atomic uint64_t generation; /* the job generation this worker is on */
    _Atomic uint64_t job_id;     /* the job it hashes, when hashing */
    _Atomic uint64_t started_ns; /* when it started hashing that job */
    _Atomic int hashing;
    _Atomic int tid;    /* the thread's id (gettid), 0 until it runs */
    miner_duty_t duty;  /* --intensity; the worker's own */
    timer_t duty_timer; /* on its CPU clock, when has_timer */
    int has_timer;
    int unit_is_whole; /* the hash under way cannot stop part way */
} worker_t;

struct miner {
    miner_config_t config;
    int default_pus[MINER_MAX_THREADS]; /* the placement when the caller gave none */
    worker_t *workers;
    unsigned started;

    pthread_mutex_t job_lock;
    pthread_cond_t job_changed;
    miner_job_t job; /* valid when job.algo != NULL */
    rx_state_t *job_rx;
    _Atomic uint64_t generation;
    _Atomic int stop;
    _Atomic unsigned intensity;   /* percent of each worker's time spent hashing */
    rx_state_t *rx[2];            /* the current seed's state and the previous one */
    _Atomic unsigned rx_datasets; /* datasets of the newest state (fast mode) */

    pthread_mutex_t results_lock;
    miner_result_t results[RESULT_QUEUE];
    unsigned results_head, results_count;
    _Atomic uint64_t dropped;
};

/* One worker's hashing state for the job it is on. */
typedef struct {
    const pow_algo_t *algo;
    pow_isa_t isa;
    arch_pages_t pad;
    pow_cn_ctx_t cn;
    int cn_ready;
    pow_rx_vm_t *vm;       /* RandomX fast mode */
    pow_rx_group_t *group; /* RandomX light mode: POW_RX_GROUP_LANES hashes at once */
    const rx_state_t *vm_state;
} hashing_t;

static pow_isa_t isa_for(const miner_t *m, const pow_algo_t *algo)
{
    return m->config.isa == POW_ISA_COUNT ? pow_algo_isa_best(algo) : m->config.isa;
}

static void hashing_close(hashing_t *h)
{
    if (h->cn_ready)
        pow_cn_ctx_release(&h->cn);
    arch_pages_free(&h->pad);
    pow_rx_vm_destroy(h->vm);
    pow_rx_group_destroy(h->group);
    memset(h, 0, sizeof(*h));
}

/* Prepares h for a job; keeps what the previous job set up when it still fits. */
static int hashing_prepare(hashing_t *h, const miner_t *m, const miner_job_t *job,
                           const rx_state_t *rx, unsigned worker)
{
    pow_isa_t isa = isa_for(m, job->algo);
    const pow_cn_algo_t *cn = pow_algo_cn(job->algo);
    if (cn != NULL) {
        if (h->cn_ready && h->algo == job->algo && h->isa == isa)
            return 0;
        hashing_close(h);
        int rc = arch_pages_alloc(&h->pad, pow_cn_algo_memory(cn), 0);
        if (rc == 0)
            rc = pow_cn_ctx_init(&h->cn, cn, isa, h->pad.ptr, h->pad.mapped);
        h->cn_ready = rc == 0;
    } else {
        if ((h->vm != NULL || h->group != NULL) && h->vm_state == rx && h->isa == isa &&
            h->algo == job->algo)
            return 0;
        hashing_close(h);
        const pow_rx_dataset_t *dataset = rx->datasets[rx->plan.slot[worker]];
        if (dataset == NULL) {
            /* Light mode: items are computed, several hashes' at once. */
            h->group = pow_rx_group_create(rx->cache, isa);
            if (h->group == NULL)
                return -ENOMEM;
            pow_rx_group_set_variant(h->group, pow_algo_rx(job->algo));
        } else {
            h->vm = pow_rx_vm_create(rx->cache, isa);
            if (h->vm == NULL)
                return -ENOMEM;
            pow_rx_vm_set_variant(h->vm, pow_algo_rx(job->algo));
            pow_rx_vm_set_dataset(h->vm, dataset);
        }
        h->vm_state = rx;
    }
    h->algo = job->algo;
    h->isa = isa;
    return h->cn_ready || h->vm != NULL || h->group != NULL ? 0 : -ENOMEM;
}

static void push_result(miner_t *m, unsigned thread, const miner_job_t *job, uint32_t nonce,
                        const uint8_t hash[32], const uint8_t *commitment)
{
    pthread_mutex_lock(&m->results_lock);
    if (m->results_count == RESULT_QUEUE) {
        atomic_fetch_add(&m->dropped, 1);
    } else {
        miner_result_t *r = &m->results[(m->results_head + m->results_count) % RESULT_QUEUE];
        r->job_id = job->job_id;
        r->nonce = nonce;
        r->thread = thread;
        memcpy(r->hash, hash, 32);
        r->has_commitment = commitment != NULL;
        if (commitment != NULL)
            memcpy(r->commitment, commitment, 32);
        m->results_count++;
    }
    pthread_mutex_unlock(&m->results_lock);
    if (m->config.on_result != NULL)
        m->config.on_result(m->config.context);
}

/*
 * What a RandomX share is judged on: its hash, or for rx/2 the commitment
 * of blob and hash, written to commitment.
 */
static const uint8_t *share_judged_on(const miner_job_t *job, const uint8_t *blob,
                                      const uint8_t hash[32], uint8_t commitment[32])
{
    if (!pow_algo_rx(job->algo)->v2)
        return hash;
    pow_rx_commitment(blob, job->blob_len, hash, commitment);
    return commitment;
}

/* Writes nonce into blob as sent: the pool's bits of it (nicehash) stay as the job has them. */
static uint32_t put_nonce(const miner_job_t *job, uint8_t *blob, uint64_t nonce, uint32_t fixed)
{
    uint32_t full = ((uint32_t)nonce & ~job->nonce_fixed_bits) | (fixed & job->nonce_fixed_bits);
    for (int i = 0; i < 4; i++)
        blob[job->nonce_offset + (size_t)i] = (uint8_t)(full >> (8 * i));
    return full;
}

/* Whether the worker should drop what it hashes: a new job came, or the miner stops. */
static int job_replaced(void *arg)
{
    const worker_t *w = arg;
    return atomic_load_explicit(&w->miner->stop, memory_order_relaxed) ||
           atomic_load_explicit(&w->miner->generation, memory_order_relaxed) !=
               atomic_load_explicit(&w->generation, memory_order_relaxed);
}

/* An idle worker looks at its intensity, jobs and stop this often. */
#define DUTY_NAP_NS 10000000ull

typedef enum {
    DUTY_BEFORE, /* before a hash or a group */
    DUTY_POLL,   /* inside a light-mode group: only when the budget may be spent */
    DUTY_TIMER,  /* the worker's CPU-time timer fired: the budget is spent mid-hash */
} duty_moment_t;

#ifndef sigev_notify_thread_id
#define sigev_notify_thread_id _sigev_un._tid /* glibc before 2.41 names it only so */
#endif

/* The signal a worker's CPU-time timer sends it (see keep_duty_cycle). */
#define DUTY_SIGNAL (SIGRTMIN + 2)

/*
 * Idles as --intensity asks (miner/duty_cycle.h). Light mode's groups ask
 * every few microseconds, so they stop where the budget ends. A hash that
 * cannot stop part way (CryptoNight, fast mode) is stopped anyway: before
 * it starts, the worker arms a timer on its own CPU clock for the budget
 * left, and when that fires mid-hash the signal handler idles right there
 * (the hash resumes after), to within the kernel's tick. Without the timer
 * (timer_create failed) a hash is the unit and the share per second is
 * off by up to one hash. Returns nonzero when a new job or a stop came
 * meanwhile.
 */
static int keep_duty_cycle(worker_t *w, duty_moment_t moment)
{
    int timed = moment != DUTY_POLL && w->has_timer;
    for (;;) {
        if (job_replaced(w))
            return 1;
        unsigned percent = atomic_load_explicit(&w->miner->intensity, memory_order_relaxed);
        if (percent == 0) {
            /* Held: no hashing until the intensity rises, the job kept (load --url). */
            struct timespec t = {0, (long)DUTY_NAP_NS};
            nanosleep(&t, NULL);
            continue;
        }
        if (percent >= 100) {
            if (moment == DUTY_BEFORE)
                miner_duty_restart(&w->duty);
            return 0; /* full speed reads no clock (an armed timer fires once, harmlessly) */
        }
        uint64_t now = arch_clock_ns(), idle;
        if (moment == DUTY_POLL && !miner_duty_poll_due(&w->duty, percent, now))
            return 0;
        idle = miner_duty_idle(&w->duty, percent, now, arch_clock_thread_cpu_ns());
        if (idle == 0) {
            if (timed) {
                /* Whole hashes stop where the budget ends; groups poll instead. */
                struct itimerspec at = {{0, 0}, {0, 0}};
                if (w->unit_is_whole) { /* never armed over a group, whose polls share duty */
                    uint64_t left = (uint64_t)w->duty.budget_ns;
                    at.it_value.tv_sec = (time_t)(left / 1000000000ull);
                    at.it_value.tv_nsec = (long)(left % 1000000000ull);
                }
                timer_settime(w->duty_timer, 0, &at, NULL);
            }
            return 0;
        }
        struct timespec t = {0, (long)(idle < DUTY_NAP_NS ? idle : DUTY_NAP_NS)};
        nanosleep(&t, NULL);
    }
}

static void on_duty_timer(int signo, siginfo_t *info, void *context)
{
    (void)signo;
    (void)context;
    int saved = errno;
    keep_duty_cycle(info->si_value.sival_ptr, DUTY_TIMER);
    errno = saved;
}

/*
 * Before a hash or a group: idles as the duty cycle asks, with the timer
 * signal held off while the worker's duty state changes. Returns nonzero
 * when a new job or a stop came meanwhile.
 */
static int duty_before(worker_t *w, int whole)
{
    /* At full speed no timer is armed again (a stale one fires once and returns): no mask. */
    if (!w->has_timer || atomic_load_explicit(&w->miner->intensity, memory_order_relaxed) >= 100) {
        w->unit_is_whole = whole;
        return keep_duty_cycle(w, DUTY_BEFORE);
    }
    sigset_t held, before;
    sigemptyset(&held);
    sigaddset(&held, DUTY_SIGNAL);
    pthread_sigmask(SIG_BLOCK, &held, &before);
    w->unit_is_whole = whole;
    int replaced = keep_duty_cycle(w, DUTY_BEFORE);
    pthread_sigmask(SIG_SETMASK, &before, NULL);
    return replaced;
}

/* The worker's CPU-time timer, which sends DUTY_SIGNAL to it alone. */
static void duty_timer_create(worker_t *w)
{
    struct sigevent event;
    memset(&event, 0, sizeof(event));
    event.sigev_notify = SIGEV_THREAD_ID;
    event.sigev_signo = DUTY_SIGNAL;
    event.sigev_value.sival_ptr = w;
    event.sigev_notify_thread_id = gettid();
    w->has_timer = timer_create(CLOCK_THREAD_CPUTIME_ID, &event, &w->duty_timer) == 0;
}

/* Asked by a light-mode group every few microseconds: give up, or idle first. */
static int group_should_stop(void *arg)
{
    return keep_duty_cycle(arg, DUTY_POLL);
}

/*
 * Light mode: the worker's next POW_RX_GROUP_LANES nonces (nonce, nonce +
 * step, ...) in one group call. Lanes past the last nonce of the job hash
 * a copy of the last one and are neither counted nor judged. A new job or
 * a stop gives the group up within microseconds (a group takes four hash
 * times). Returns the nonce to go on from.
 */
static uint64_t hash_group(miner_t *m, worker_t *w, hashing_t *h, const miner_job_t *job,
                           uint64_t nonce, uint32_t fixed)
{
    const uint64_t step = m->config.threads, last = (uint32_t)~job->nonce_fixed_bits, first = nonce;
    uint8_t blobs[POW_RX_GROUP_LANES][MINER_MAX_BLOB], outs[POW_RX_GROUP_LANES][32];
    uint32_t fulls[POW_RX_GROUP_LANES];
    const void *in[POW_RX_GROUP_LANES];
    size_t lens[POW_RX_GROUP_LANES];
    unsigned valid = 0;
    for (unsigned k = 0; k < POW_RX_GROUP_LANES; k++) {
        memcpy(blobs[k], job->blob, job->blob_len);
        if (nonce <= last) {
            fulls[k] = put_nonce(job, blobs[k], nonce, fixed);
            valid++;
            nonce += step;
        } else {
            memcpy(blobs[k], blobs[k - 1], job->blob_len); /* never k == 0: nonce <= last */
        }
        in[k] = blobs[k];
        lens[k] = job->blob_len;
    }
    if (!pow_rx_group_hash_until(h->group, in, lens, outs, group_should_stop, w))
        return first; /* a new job or a stop: these nonces were not hashed */
    for (unsigned k = 0; k < valid; k++) {
        uint8_t commitment[32];
        const uint8_t *judged = share_judged_on(job, blobs[k], outs[k], commitment);
        if (miner_meets_target(judged, job->target))
            push_result(m, w->index, job, fulls[k], outs[k], judged != outs[k] ? judged : NULL);
    }
    atomic_fetch_add_explicit(&w->hashes, valid, memory_order_relaxed);
    return nonce;
}

static void *worker_main(void *arg)
{
    worker_t *w = arg;
    miner_t *m = w->miner;
    char name[16]; /* the OS's limit: ps -L and top -H show it */
    snprintf(name, sizeof(name), "minemeter-w%u", w->index);
    pthread_setname_np(pthread_self(), name);
    duty_timer_create(w);
    atomic_store(&w->tid, (int)gettid()); /* after the timer: miner_duty_timers counts on it */
    if (m->config.topo != NULL && w->pu >= 0) {
        arch_pin_kind_t kind;
        arch_topology_pin_thread(m->config.topo, (unsigned)w->pu, &kind);
    }
    hashing_t h;
    memset(&h, 0, sizeof(h));
    miner_job_t job;
    int have_job = 0;
    uint64_t nonce = 0;
    uint32_t fixed_nonce = 0; /* the job's nonce as sent, for its fixed bits */
    int rx_pending = 0;       /* a RandomX hash is started and not finished */
    uint32_t pending_nonce = 0;
    uint8_t pending_blob[MINER_MAX_BLOB]; /* its input, for rx/2's commitment */
    const uint64_t step = m->config.threads;

    while (!atomic_load(&m->stop)) {
        uint64_t gen = atomic_load(&m->generation);
        if (gen != atomic_load(&w->generation)) {
            pthread_mutex_lock(&m->job_lock);
            gen = atomic_load(&m->generation);
            have_job = m->job.algo != NULL;
            if (have_job)
                job = m->job;
            const rx_state_t *rx = m->job_rx;
            pthread_mutex_unlock(&m->job_lock);
            if (have_job && hashing_prepare(&h, m, &job, rx, w->index) != 0)
                have_job = 0;
            fixed_nonce = 0;
            for (int i = 3; have_job && i >= 0; i--)
                fixed_nonce = fixed_nonce << 8 | job.blob[job.nonce_offset + (size_t)i];
            nonce = (uint64_t)job.first_nonce + w->index;
            rx_pending = 0; /* a hash started for the old job is dropped */
            atomic_store(&w->hashing, 0);
            if (have_job) {
                atomic_store(&w->job_id, job.job_id);
                atomic_store(&w->started_ns, arch_clock_ns());
                atomic_store(&w->hashing, 1);
            }
            atomic_store(&w->generation, gen);
            miner_duty_restart(&w->duty); /* a resumed load starts its budget afresh */
        }
        if (!have_job || nonce > (uint64_t)(uint32_t)~job.nonce_fixed_bits) {
            /* Nothing to hash (no job, or this worker's nonces are spent): sleep until a new one.
             */
            pthread_mutex_lock(&m->job_lock);
            while (!atomic_load(&m->stop) && atomic_load(&m->generation) == gen)
                pthread_cond_wait(&m->job_changed, &m->job_lock);
            pthread_mutex_unlock(&m->job_lock);
            continue;
        }
        if (duty_before(w, h.group == NULL))
            continue; /* a new job or a stop came while idle */
        if (h.group != NULL) {
            nonce = hash_group(m, w, &h, &job, nonce, fixed_nonce);
            continue;
        }
        uint8_t out[32], commitment[32];
        const uint8_t *judged = out;
        uint32_t full = put_nonce(&job, job.blob, nonce, fixed_nonce);
        uint32_t done = full; /* the nonce whose hash is in out */
        if (h.vm != NULL) {
            /*
             * RandomX is pipelined: each call finishes the previous nonce's hash and starts
             * this one's, fingerprinting one scratchpad while filling the next in one pass.
             */
            if (!rx_pending) {
                pow_rx_hash_first(h.vm, job.blob, job.blob_len);
            } else {
                pow_rx_hash_next(h.vm, job.blob, job.blob_len, out);
                done = pending_nonce;
                judged = share_judged_on(&job, pending_blob, out, commitment);
            }
            memcpy(pending_blob, job.blob, job.blob_len);
            pending_nonce = full;
            nonce += step;
            if (!rx_pending) {
                rx_pending = 1;
                continue; /* no hash finished yet */
            }
        } else {
            pow_cn_hash(&h.cn, job.blob, job.blob_len, job.height, out);
            nonce += step;
        }
        atomic_fetch_add_explicit(&w->hashes, 1, memory_order_relaxed);
        if (miner_meets_target(judged, job.target))
            push_result(m, w->index, &job, done, out, judged != out ? judged : NULL);
    }
    hashing_close(&h);
    if (w->has_timer)
        timer_delete(w->duty_timer);
    return NULL;
}

int miner_create(miner_t **out, const miner_config_t *config)
{
    *out = NULL;
    if (config->threads == 0 || config->threads > MINER_MAX_THREADS)
        return -EINVAL;
    miner_t *m = calloc(1, sizeof(*m));
    if (m == NULL)
        return -ENOMEM;
    m->config = *config;
    m->intensity = 100;
    struct sigaction duty;
    memset(&duty, 0, sizeof(duty));
    duty.sa_sigaction = on_duty_timer;
    duty.sa_flags = SA_SIGINFO | SA_RESTART;
    sigemptyset(&duty.sa_mask);
    sigaction(DUTY_SIGNAL, &duty, NULL);
    m->workers = calloc(config->threads, sizeof(*m->workers));
    if (m->workers == NULL) {
        free(m);
        return -ENOMEM;
    }
    /* Without a placement, one worker per core first, as the benchmark pins them. */
    if (config->pus == NULL && config->topo != NULL &&
        miner_place_threads(config->topo, MINER_PIN_CORE, NULL, config->threads, m->default_pus) ==
            0)
        m->config.pus = m->default_pus;
    pthread_mutex_init(&m->job_lock, NULL);
    pthread_cond_init(&m->job_changed, NULL);
    pthread_mutex_init(&m->results_lock, NULL);
    for (unsigned i = 0; i < config->threads; i++) {
        worker_t *w = &m->workers[i];
        w->miner = m;
        w->index = i;
        w->pu = m->config.pus != NULL ? m->config.pus[i] : -1;
        if (pthread_create(&w->id, NULL, worker_main, w) != 0) {
            miner_destroy(m);
            return -EAGAIN;
        }
        m->started++;
    }
    *out = m;
    return 0;
}

static void publish(miner_t *m, const miner_job_t *job, rx_state_t *rx)
{
    pthread_mutex_lock(&m->job_lock);
    if (job != NULL)
        m->job = *job;
    else
        m->job.algo = NULL;
    m->job_rx = rx;
    atomic_fetch_add(&m->generation, 1);
    pthread_cond_broadcast(&m->job_changed);
    pthread_mutex_unlock(&m->job_lock);
}

/* Waits until every worker is on generation gen or later. */
static void wait_for_workers(miner_t *m, uint64_t gen)
{
    struct timespec nap = {0, 1000 * 1000};
    for (unsigned i = 0; i < m->started; i++) {
        while (atomic_load(&m->workers[i].generation) < gen)
            nanosleep(&nap, NULL);
    }
}

static void rx_state_free(rx_state_t *s)
{
    if (s == NULL)
        return;
    for (unsigned k = 0; k < s->plan.count; k++)
        pow_rx_dataset_release(s->datasets[k]);
    pow_rx_cache_release(s->cache);
    free(s);
}

/* The state for job's seed: the current one, or a new one built now. */
static int rx_state_for(miner_t *m, const miner_job_t *job, rx_state_t **out)
{
    const pow_rx_variant_t *v = pow_algo_rx(job->algo);
    rx_state_t *cur = m->rx[0];
    if (cur != NULL && cur->seed_len == job->seed_len &&
        memcmp(cur->seed, job->seed, job->seed_len) == 0 &&
        pow_rx_variants_share_cache(cur->variant, v)) {
        *out = cur;
        return 0;
    }
    /* Free the state before the current one: no worker may still use it. */
    if (m->rx[1] != NULL) {
        wait_for_workers(m, m->rx[0]->published_at);
        rx_state_free(m->rx[1]);
        m->rx[1] = NULL;
    }
    rx_state_t *s = calloc(1, sizeof(*s));
    if (s == NULL)
        return -ENOMEM;
    s->variant = v;
    memcpy(s->seed, job->seed, job->seed_len);
    s->seed_len = job->seed_len;
    s->cache = pow_rx_cache_alloc(v);
    int rc = s->cache == NULL ? -ENOMEM : pow_rx_cache_init(s->cache, job->seed, job->seed_len);
    if (rc == 0 && m->config.randomx_fast) {
        /* One dataset per NUMA node the workers run on, each read locally. */
        miner_plan_datasets(m->config.topo, m->config.pus, m->config.threads, &s->plan);
        rc = miner_build_datasets(&s->plan, s->datasets, s->cache, 0, m->config.threads,
                                  m->config.topo, m->config.pus, &m->config.dataset_progress);
        /* Fast mode hashes from the dataset alone: the cache's 256 MiB go back. */
        if (rc == 0)
            pow_rx_cache_release_memory(s->cache);
    }
    if (rc != 0) {
        rx_state_free(s);
        return rc;
    }
    m->rx[1] = m->rx[0];
    m->rx[0] = s;
    unsigned built = 0;
    for (unsigned k = 0; k < s->plan.count; k++)
        built += s->datasets[k] != NULL;
    atomic_store(&m->rx_datasets, built);
    *out = s;
    return 0;
}

/* Pauses the workers and frees every RandomX state once none of them uses it. */
static void rx_states_drop(miner_t *m)
{
    publish(m, NULL, NULL);
    wait_for_workers(m, atomic_load(&m->generation));
    rx_state_free(m->rx[1]);
    rx_state_free(m->rx[0]);
    m->rx[0] = m->rx[1] = NULL;
    atomic_store(&m->rx_datasets, 0);
}

int miner_set_job(miner_t *m, const miner_job_t *job)
{
    /* A job refused leaves nothing to hash: never the previous job (#23, item 7). */
    if (job->algo == NULL || job->blob_len > MINER_MAX_BLOB ||
        job->nonce_offset + 4 > job->blob_len || job->blob_len < pow_algo_min_input(job->algo) ||
        job->seed_len > sizeof(job->seed) ||
        !pow_algo_isa_available(job->algo, isa_for(m, job->algo))) {
        publish(m, NULL, NULL);
        return -EINVAL;
    }
    rx_state_t *rx = NULL;
    if (pow_algo_rx(job->algo) != NULL) {
        int rc = rx_state_for(m, job, &rx);
        if (rc == -ENOMEM && m->rx[0] != NULL) {
            /* No room for the new seed's state beside the old: the old one goes first. */
            rx_states_drop(m);
            rc = rx_state_for(m, job, &rx);
        }
        if (rc != 0) {
            publish(m, NULL, NULL);
            return rc;
        }
        if (rx->published_at == 0)
            rx->published_at = atomic_load(&m->generation) + 1;
    }
    publish(m, job, rx);
    return 0;
}

void miner_pause(miner_t *m)
{
    publish(m, NULL, NULL);
}

size_t miner_take_results(miner_t *m, miner_result_t *out, size_t max)
{
    pthread_mutex_lock(&m->results_lock);
    size_t n = 0;
    while (n < max && m->results_count > 0) {
        out[n++] = m->results[m->results_head];
        m->results_head = (m->results_head + 1) % RESULT_QUEUE;
        m->results_count--;
    }
    pthread_mutex_unlock(&m->results_lock);
    return n;
}

uint64_t miner_hashes(const miner_t *m)
{
    uint64_t n = 0;
    for (unsigned i = 0; i < m->started; i++)
        n += atomic_load(&m->workers[i].hashes);
    return n;
}

uint64_t miner_thread_hashes(const miner_t *m, unsigned i)
{
    return i < m->started ? atomic_load(&m->workers[i].hashes) : 0;
}

void miner_set_intensity(miner_t *m, unsigned percent)
{
    atomic_store(&m->intensity, percent > 100 ? 100 : percent);
}

uint64_t miner_thread_cpu_ns(const miner_t *m, unsigned i)
{
    clockid_t clock;
    struct timespec t;
    if (i >= m->started || pthread_getcpuclockid(m->workers[i].id, &clock) != 0 ||
        clock_gettime(clock, &t) != 0)
        return 0;
    return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

unsigned miner_duty_timers(const miner_t *m)
{
    unsigned n = 0;
    for (unsigned i = 0; i < m->started; i++)
        n += atomic_load(&m->workers[i].tid) != 0 && m->workers[i].has_timer;
    return n;
}

int miner_thread_tid(const miner_t *m, unsigned i)
{
    return i < m->started ? atomic_load(&m->workers[i].tid) : 0;
}

int miner_idle(miner_t *m)
{
    pthread_mutex_lock(&m->job_lock);
    uint64_t gen = atomic_load(&m->generation);
    int paused = m->job.algo == NULL;
    pthread_mutex_unlock(&m->job_lock);
    for (unsigned i = 0; paused && i < m->started; i++)
        if (atomic_load(&m->workers[i].generation) != gen || atomic_load(&m->workers[i].hashing))
            return 0;
    return paused;
}

int miner_job_started(const miner_t *m, uint64_t job_id, uint64_t *last_start_ns)
{
    uint64_t last = 0;
    for (unsigned i = 0; i < m->started; i++) {
        const worker_t *w = &m->workers[i];
        if (!atomic_load(&w->hashing) || atomic_load(&w->job_id) != job_id)
            return -1;
        uint64_t t = atomic_load(&w->started_ns);
        last = t > last ? t : last;
    }
    *last_start_ns = last;
    return 0;
}

unsigned miner_rx_datasets(const miner_t *m)
{
    return atomic_load(&m->rx_datasets);
}

uint64_t miner_results_dropped(const miner_t *m)
{
    return atomic_load(&m->dropped);
}

void miner_destroy(miner_t *m)
{
    if (m == NULL)
        return;
    pthread_mutex_lock(&m->job_lock);
    atomic_store(&m->stop, 1);
    pthread_cond_broadcast(&m->job_changed);
    pthread_mutex_unlock(&m->job_lock);
    for (unsigned i = 0; i < m->started; i++)
        pthread_join(m->workers[i].id, NULL);
    rx_state_free(m->rx[0]);
    rx_state_free(m->rx[1]);
    pthread_mutex_destroy(&m->job_lock);
    pthread_cond_destroy(&m->job_changed);
    pthread_mutex_destroy(&m->results_lock);
    free(m->workers);
    free(m);
}
