/*
 * The results of one benchmark run and the files they are written to:
 * JSON for machines (docs/bench-json.md), CSV for spreadsheets, SVG for
 * people.
 */
#ifndef MINEMETER_BENCH_REPORT_H
#define MINEMETER_BENCH_REPORT_H

#include "arch/topology.h"
#include "bench/randomx_reference.h"
#include "bench/stats.h"
#include "bench/throughput.h"
#include "pow/algo.h"

/* One (algorithm, mode) of the plan, measured over thread counts. */
typedef struct bench_result {
    const pow_algo_t *algo;
    int fast;       /* RandomX fast mode (dataset) */
    char label[24]; /* "rx/0 fast", "cn/r" */
    pow_isa_t isa;
    int verified;
    double cache_seconds;     /* RandomX: time to build the cache */
    double ref_cache_seconds; /* and the reference's, 0 when not measured */
    unsigned thread_counts;
    unsigned threads[BENCH_MAX_THREADS];
    bench_stats_t hps[BENCH_MAX_THREADS];
    bench_stats_t cycles[BENCH_MAX_THREADS];
    bench_stats_t cpu_seconds[BENCH_MAX_THREADS]; /* thread CPU seconds per hash */
    double joules_per_hash[BENCH_MAX_THREADS];    /* < 0: unknown */
    double watts[BENCH_MAX_THREADS];              /* power while hashing, < 0: unknown */
    int energy_estimated; /* joules_per_hash and watts are the power model's estimate */
    bench_sample_t last[BENCH_MAX_THREADS];
    int have_reference;
    const char *reference_name;       /* what was timed, for the report */
    bench_randomx_ref_t *randomx_ref; /* RandomX: the loaded reference, during measuring */
    arch_topology_t *topo;
    bench_stats_t reference_seconds_per_hash;
    char reference_note[256];
    char reference_label[256];                      /* reference_name when built at run time */
    bench_stats_t reference_hps[BENCH_MAX_THREADS]; /* RandomX: the reference at each count */
    /* Ours over the reference, run by run (each pair back to back): steadier on a noisy machine. */
    bench_stats_t reference_ratio[BENCH_MAX_THREADS];
    /* A/A: the reference over a second run of itself, the same way: the ratio's noise floor. */
    bench_stats_t reference_aa_ratio[BENCH_MAX_THREADS];
    int have_reference_hps;
    double ref_dataset_seconds; /* fast mode: randomx_init_dataset's time */
    /* cn/r: Monero's tool again with its cn/r JIT on (the main figure has it off). */
    int have_reference_jit;
    bench_stats_t reference_jit_seconds_per_hash;
    char reference_jit_note[160]; /* why there is none, when it was tried */
    /* XMRig (bench --xmrig PATH, bench/xmrig_peer.h) at each thread count, in turns with ours. */
    int xmrig_tried;
    bench_stats_t xmrig_hps[BENCH_MAX_THREADS]; /* n == 0: none, xmrig_note says why */
    uint64_t xmrig_accepted[BENCH_MAX_THREADS]; /* its shares the lab pool hashed and accepted */
    double xmrig_dataset_seconds;               /* fast mode: its dataset build, 0 unknown */
    char xmrig_pages[64];                       /* its "huge pages" report */
    char xmrig_note[256];
} bench_result_t;

/* Prints the table row of r's t-th thread count. */
void bench_table_row(const bench_result_t *r, unsigned t);

/* Prints r's comparison with its reference, or why there is none. */
void bench_table_reference(const bench_result_t *r);

struct bench_cost_basis;

/*
 * Prints what a miner at the measured load takes over the basis's hours:
 * CPU-hours, and energy and money when a counter was readable (bench/cost.h).
 */
void bench_table_cost(const bench_result_t *results, unsigned count,
                      const struct bench_cost_basis *basis);

/* How the benchmark ran, for the JSON's run header (docs/bench-json.md). */
typedef struct {
    unsigned repeat, duration;           /* per measurement */
    const struct bench_cost_basis *cost; /* the cost figures' basis */
    int argc;                            /* the command line, argv[0] the program */
    char *const *argv;
    long long started_unix;  /* seconds since 1970 */
    unsigned cores, pus;     /* of the machine (hwloc) */
    const char *huge_pages;  /* --huge-pages as asked: "on" or "off" */
    int gb_pages;            /* --1gb-pages given */
    const char *interrupted; /* "SIGINT" or "SIGTERM" when cut short, or NULL */
    const char *xmrig;       /* --xmrig's version ("6.26.0"), or NULL */
} bench_run_t;

/*
 * The JSON's schema, its first field: a change of a field's meaning makes
 * a new one, and `minemeter compare` reads only this one.
 */
#define BENCH_JSON_SCHEMA "minemeter-bench/1"

/* Writes the run as JSON (schema in docs/bench-json.md). Returns 0 or a negative errno. */
int bench_report_json(const char *path, const bench_result_t *results, unsigned count,
                      const bench_run_t *run);

/*
 * Writes one row per verified (result, thread count) as RFC 4180 CSV, after
 * a header line (columns in docs/bench-csv.md), with each row's cost over
 * cost->hours; unknown figures are empty fields. The file appears whole or
 * not at all (written to path.tmp, then renamed). Returns 0 or a negative
 * errno.
 */
int bench_report_csv(const char *path, const bench_result_t *results, unsigned count,
                     const struct bench_cost_basis *cost);

/*
 * Draws hashes per second against threads for every verified result as a
 * self-contained SVG 1.1 chart, with the min-max spread, a legend and title.
 * Written like the CSV: whole or not at all. Returns 0 or a negative errno.
 */
int bench_report_svg(const char *path, const bench_result_t *results, unsigned count,
                     const char *title);

#endif
