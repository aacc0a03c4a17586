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

typedef struct {
    const char *path; /* the xmrig binary */
    const pow_algo_t *algo;
    int fast; /* RandomX: fast mode (its dataset), else light */
    unsigned threads;
    const int *pus; /* OS indexes, one per thread, each below 64 */
    unsigned repeat;
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

/*
 * Measures XMRig as config says. Returns 0 with out->count windows, -EINTR
 * when bench was interrupted (the process is stopped all the same), or
 * another negative errno with out->why.
 */
int bench_xmrig_run(const bench_xmrig_config_t *config, bench_xmrig_run_t *out);

#endif
