/*
 * One window: miner up and hashing, victim measured, miner down.
 */
#define _GNU_SOURCE
#include "impact/runner.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "arch/clock.h"
#include "impact/victim_cmd.h"
#include "miner/synthetic_job.h"

/* How long the workers hash before the victim's window opens (caches and TLBs warm). */
#define WARM_UP_NS 500000000ull
/* A RandomX cache (and a fast-mode dataset) is built before the first hash. */
#define START_TIMEOUT_NS 120000000000ull

static void nap_ms(long ms)
{
    struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&t, NULL);
}

/* Starts the miner and waits until every worker hashes, then warms it up. */
static int start_miner(const impact_miner_spec_t *spec, volatile sig_atomic_t *stop, miner_t **out,
                       char *why, size_t cap)
{
    miner_config_t config = {
        .threads = spec->threads,
        .pus = spec->pus,
        .topo = spec->topo,
        .randomx_fast = spec->fast,
        .isa = POW_ISA_COUNT,
    };
    miner_t *m = NULL;
    if (miner_create(&m, &config) != 0) {
        snprintf(why, cap, "cannot start %u worker threads", spec->threads);
        return -EAGAIN;
    }
    miner_set_intensity(m, spec->intensity);
    miner_job_t job;
    miner_synthetic_job(spec->algo, "minemeter impact", &job);
    if (miner_set_job(m, &job) != 0) {
        snprintf(why, cap, "cannot prepare %s%s: out of memory?", pow_algo_name(spec->algo),
                 spec->fast ? " in fast mode (2080 MiB)" : "");
        miner_destroy(m);
        return -ENOMEM;
    }
    uint64_t deadline = arch_clock_ns() + START_TIMEOUT_NS, started = 0;
    while (miner_job_started(m, job.job_id, &started) != 0) {
        if ((stop != NULL && *stop) || arch_clock_ns() > deadline) {
            miner_destroy(m);
            snprintf(why, cap, "%s", *stop ? "stopped" : "the miner did not start hashing");
            return *stop ? -ECANCELED : -ETIMEDOUT;
        }
        nap_ms(10);
    }
    /* Miners often run niced; the workers' own priority, the victim's untouched. */
    for (unsigned i = 0; spec->nice != 0 && i < spec->threads; i++)
        setpriority(PRIO_PROCESS, (id_t)miner_thread_tid(m, i), spec->nice);
    struct sched_param idle = {0};
    for (unsigned i = 0; spec->idle && i < spec->threads; i++)
        sched_setscheduler(miner_thread_tid(m, i), SCHED_IDLE, &idle);
    nap_ms((long)(WARM_UP_NS / 1000000));
    *out = m;
    return 0;
}

/* The victim's window: the probe on this thread, pinned to the victim's PU, or the command. */
static int run_victim(const impact_victim_spec_t *v, impact_window_t *out, char *why, size_t cap)
{
    if (v->probe != NULL) {
        cpu_set_t before, one;
        int pinned = 0;
        if (v->pu >= 0 && pthread_getaffinity_np(pthread_self(), sizeof(before), &before) == 0) {
            CPU_ZERO(&one);
            CPU_SET((size_t)v->pu, &one);
            pinned = pthread_setaffinity_np(pthread_self(), sizeof(one), &one) == 0;
        }
        impact_probe_sample_t s;
        int rc = impact_probe_run(v->probe, v->seconds, v->stop, &s);
        if (pinned)
            pthread_setaffinity_np(pthread_self(), sizeof(before), &before);
        if (rc != 0) {
            snprintf(why, cap, "the probe failed: %s", strerror(-rc));
            return rc;
        }
        out->value = s.value;
        out->p50_us = s.p50_us;
        out->p99_us = s.p99_us;
        out->p999_us = s.p999_us;
        out->victim_cpu_s = s.cpu_seconds;
        out->wall_s = s.wall_seconds;
        return v->stop != NULL && *v->stop ? -ECANCELED : 0;
    }
    impact_victim_result_t r;
    int rc = impact_victim_run(v->command, v->pu, v->command_timeout, v->stop, &r);
    if (rc != 0) {
        snprintf(why, cap, "cannot start the victim command: %s", strerror(-rc));
        return rc;
    }
    out->value = r.wall_seconds;
    out->p50_us = out->p99_us = out->p999_us = -1;
    out->victim_cpu_s = r.cpu_seconds;
    out->wall_s = r.wall_seconds;
    out->exit_status = r.exit_status;
    memcpy(out->stderr_tail, r.stderr_tail, sizeof(out->stderr_tail));
    if (r.stopped)
        return -ECANCELED;
    if (r.timed_out) {
        snprintf(why, cap, "the victim command ran past --victim-timeout (%.0f s)",
                 v->command_timeout);
        return -ETIMEDOUT;
    }
    return 0;
}

int impact_run_window(const impact_miner_spec_t *spec, const impact_victim_spec_t *victim,
                      impact_window_t *out, char *why, size_t cap)
{
    memset(out, 0, sizeof(*out));
    out->joules = -1;
    miner_t *m = NULL;
    if (spec->threads > 0) {
        int rc = start_miner(spec, victim->stop, &m, why, cap);
        if (rc != 0)
            return rc;
    }
    double j0 = 0, j1 = 0;
    int have_energy = victim->energy != NULL && arch_energy_read(victim->energy, &j0) == 0;
    uint64_t h0 = m != NULL ? miner_hashes(m) : 0, t0 = arch_clock_ns();
    int rc = run_victim(victim, out, why, cap);
    uint64_t h1 = m != NULL ? miner_hashes(m) : 0, t1 = arch_clock_ns();
    if (have_energy && arch_energy_read(victim->energy, &j1) == 0 && j1 > j0)
        out->joules = j1 - j0;
    double seconds = (double)(t1 - t0) / 1e9;
    out->miner_hps = seconds > 0 ? (double)(h1 - h0) / seconds : 0;
    miner_destroy(m);
    return rc;
}
