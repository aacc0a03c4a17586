/*
 * XMRig as a peer (bench --xmrig PATH): the user's XMRig binary measured
 * on the same cores at the same algorithm, mode and thread count as ours.
 *
 * XMRig benchmarks offline only for RandomX, and only over 250,000 hashes
 * or more; so it mines instead, on loopback, from a lab pool this process
 * serves (stratum/pool_server.c) with synthetic jobs. The pool hashes every
 * share again: XMRig's figure counts only when its shares are accepted and
 * none is rejected. Its hash rate is its own, the 10-second average of its
 * HTTP API (/1/summary), read once per window after a first full window;
 * with no share accepted (one is due every 4 s) it counts as unverified.
 *
 * Its windows are interleaved with our repetitions: between windows it is
 * stopped (SIGSTOP), so the two never share the cores, and both sides see
 * the same minutes of a machine whose speed drifts (a VM's does, by up to
 * 15% in minutes). Continued, it runs a second before its 10 s average
 * counts, so that no stopped time is in it (XMRig averages between its own
 * timestamps inside the last 10 s).
 *
 * It is started with its MSR writes off (minemeter changes no MSR either),
 * no donation (--donate-level 0; a stock build keeps 1%, whose first
 * donation comes after at least 49 minutes: each run here is far shorter),
 * its API on 127.0.0.1 only, and its log in a temporary file. It is killed
 * with its parent if minemeter dies.
 */
#ifndef MINEMETER_BENCH_XMRIG_PEER_H
#define MINEMETER_BENCH_XMRIG_PEER_H

#include <stddef.h>
#include <stdint.h>

#include "bench/plan.h"
#include "pow/algo.h"

#define BENCH_XMRIG_WINDOW_SECONDS 10 /* XMRig's shortest average */
#define BENCH_XMRIG_RESUME_SECONDS 1  /* after a continue, before a window's 10 s begin */

typedef struct {
    const char *path; /* the xmrig binary */
    const pow_algo_t *algo;
    int fast; /* RandomX: fast mode (its dataset), else light */
    unsigned threads;
    const int *pus;      /* OS indexes, one per thread, each below 64 */
    double expected_hps; /* ours at this count: the share difficulty aims at one per 4 s */
    int huge_pages;      /* 0: --no-huge-pages */
    int gb_pages;        /* --randomx-1gb-pages */
} bench_xmrig_config_t;

typedef struct {
    double hps[BENCH_MAX_REPEAT]; /* one per window */
    unsigned count;
    uint64_t accepted, rejected; /* shares, as the pool judged them after hashing each again */
    double ready_seconds;        /* start to its first 10 s figure (the dataset included) */
    double dataset_seconds;      /* its "dataset ready (N ms)", 0 when not logged */
    char pages[64];              /* its "huge pages" report, "" when not logged */
    char why[256];               /* why there is no figure */
} bench_xmrig_run_t;

/*
 * Runs path --version: fills version ("6.26.0") and returns 0 when it is
 * XMRig, or -1 with why filled.
 */
int bench_xmrig_version(const char *path, char *version, size_t cap, char *why, size_t why_len);

typedef struct bench_xmrig_session bench_xmrig_session_t;

/*
 * Starts the lab pool and XMRig as config says, waits for XMRig's first
 * 10 s figure (its dataset built, its threads hashing) and stops it
 * (SIGSTOP) until a window. Returns 0; -EINTR when bench was interrupted;
 * or another negative errno with out->why. *session is set either way:
 * bench_xmrig_finish ends it.
 */
int bench_xmrig_start(const bench_xmrig_config_t *config, bench_xmrig_session_t **session,
                      bench_xmrig_run_t *out);

/*
 * One window, number of count: XMRig continued, its 10 s figure read
 * BENCH_XMRIG_WINDOW_SECONDS + BENCH_XMRIG_RESUME_SECONDS later (so that
 * none of the time it was stopped is in it) into out->hps, then stopped
 * again. Returns 0, -EINTR, or another negative errno with out->why.
 */
int bench_xmrig_window(bench_xmrig_session_t *session, unsigned number, unsigned count,
                       bench_xmrig_run_t *out);

/*
 * Ends XMRig and the pool, fills out's shares, dataset time and pages, and
 * frees session (NULL: nothing to end). Returns rc, or -EBADMSG with
 * out->why when rc is 0 but the pool rejected a share or accepted none.
 */
int bench_xmrig_finish(bench_xmrig_session_t *session, int rc, bench_xmrig_run_t *out);

#endif
