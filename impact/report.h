/*
 * The results of `minemeter impact` and what is derived from them: per
 * configuration the victim's slowdown against the baseline run in the same
 * round, the miner's hash rate, the victim's CPU time, power above the
 * baseline and its money; printed as a table, written as JSON
 * (docs/impact-json.md) and CSV.
 */
#ifndef MINEMETER_IMPACT_REPORT_H
#define MINEMETER_IMPACT_REPORT_H

#include <stdio.h>

#include "impact/protocol.h"
#include "impact/runner.h"

#define IMPACT_MAX_ROUNDS  50
#define IMPACT_MAX_ENTRIES 65 /* the baseline and 64 configurations */

typedef struct {
    /* The configuration; threads 0 for the baseline. */
    const pow_algo_t *algo;
    int fast;
    unsigned threads, intensity;
    int pus[MINER_MAX_THREADS];
    /* The windows, by round. */
    impact_window_t run[IMPACT_MAX_ROUNDS];
    unsigned rounds;
} impact_entry_t;

/* What one configuration (entry >= 1) shows against the baseline. */
typedef struct {
    impact_stats_t slowdown; /* percent, round by round against that round's baseline */
    impact_stats_t value;    /* the victim's figure beside the miner */
    impact_stats_t miner_hps;
    double victim_cpu_s;      /* median over rounds */
    double victim_cpu_change; /* percent: median of (cpu / baseline cpu - 1) x 100 by round */
    double watts;             /* median over rounds; < 0 unknown */
    double marginal_watts;    /* median of (watts - that round's baseline watts); NAN unknown */
    double money;             /* marginal kWh over hours x price; < 0 none */
} impact_summary_t;

/* Everything measured for one victim: entry 0 is its baseline. */
typedef struct {
    const char *victim; /* a probe's name, or "command" */
    const char *unit;   /* the probe's, or "s" */
    int higher_is_better;
    unsigned entries;
    impact_entry_t entry[IMPACT_MAX_ENTRIES];
    impact_summary_t summary[IMPACT_MAX_ENTRIES]; /* entry >= 1; by impact_summarize_all */
} impact_victim_results_t;

/* How the run was made, for the reports. */
typedef struct {
    const char *placement; /* "shared", "separate" or "all" */
    int victim_pu;
    int nice;
    unsigned repeat;
    double duration;     /* a probe's window */
    const char *command; /* --victim-cmd, or NULL */
    uint64_t seed;
    double hours, price;      /* price < 0: none */
    const char *power_source; /* the energy's label; NULL: none (power_reason says why) */
    const char *power_reason;
    int power_estimated;
    int argc;
    char *const *argv;
    long long started_unix;
    const char *interrupted; /* "SIGINT"/"SIGTERM" when cut short, else NULL */
} impact_run_info_t;

impact_summary_t impact_summarize(const impact_victim_results_t *v, unsigned entry,
                                  const impact_run_info_t *info);

/*
 * Fills every victim's summary[] once (the bootstraps take a while at 65
 * entries of 50 rounds): the reports below read them, so call it first.
 */
void impact_summarize_all(impact_victim_results_t *victims, unsigned count,
                          const impact_run_info_t *info);

/* The baseline's own figures: its value over rounds, and its drift first to last round (%). */
impact_stats_t impact_baseline_value(const impact_victim_results_t *v);
double impact_baseline_drift_percent(const impact_victim_results_t *v);
double impact_window_watts(const impact_window_t *w); /* < 0 unknown */

/* The table for people. */
void impact_report_table(FILE *out, const impact_victim_results_t *victims, unsigned count,
                         const impact_run_info_t *info);

/* JSON (docs/impact-json.md) and CSV, each written whole or not at all. 0 or a negative errno. */
int impact_report_json(const char *path, const impact_victim_results_t *victims, unsigned count,
                       const impact_run_info_t *info);
int impact_report_csv(const char *path, const impact_victim_results_t *victims, unsigned count,
                      const impact_run_info_t *info);

/* The slowdown against miner threads as an SVG chart, one line per victim (impact/report_svg.c). */
int impact_report_svg(const char *path, const impact_victim_results_t *victims, unsigned count,
                      const impact_run_info_t *info);

#endif
