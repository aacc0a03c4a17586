/*
 * Impact results: the figures derived per configuration, the table and
 * the JSON.
 */
#include "config.h"
#include "impact/report.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/report_file.h"

/* Resamples for the 95% intervals: enough for a stable 2.5th percentile. */
#define BOOTSTRAP_RESAMPLES 2000

double impact_window_watts(const impact_window_t *w)
{
    return w->joules >= 0 && w->wall_s > 0 ? w->joules / w->wall_s : -1;
}

static double median_of(double *values, unsigned n)
{
    return impact_stats(values, n, 0, 0).median;
}

void impact_summarize_all(impact_victim_results_t *victims, unsigned count,
                          const impact_run_info_t *info)
{
    for (unsigned k = 0; k < count; k++)
        for (unsigned e = 1; e < victims[k].entries; e++)
            victims[k].summary[e] = impact_summarize(&victims[k], e, info);
}

impact_summary_t impact_summarize(const impact_victim_results_t *v, unsigned e,
                                  const impact_run_info_t *info)
{
    const impact_entry_t *base = &v->entry[0], *cfg = &v->entry[e];
    unsigned n = cfg->rounds < base->rounds ? cfg->rounds : base->rounds;
    double slow[IMPACT_MAX_ROUNDS], value[IMPACT_MAX_ROUNDS], hps[IMPACT_MAX_ROUNDS];
    double cpu[IMPACT_MAX_ROUNDS], cpu_change[IMPACT_MAX_ROUNDS], watts[IMPACT_MAX_ROUNDS],
        above[IMPACT_MAX_ROUNDS];
    for (unsigned r = 0; r < n; r++) {
        const impact_window_t *b = &base->run[r], *c = &cfg->run[r];
        slow[r] = impact_slowdown_percent(b->value, c->value, v->higher_is_better);
        value[r] = c->value;
        hps[r] = c->miner_hps;
        cpu[r] = c->victim_cpu_s;
        cpu_change[r] = b->victim_cpu_s > 0 ? (c->victim_cpu_s / b->victim_cpu_s - 1) * 100 : NAN;
        double wb = impact_window_watts(b), wc = impact_window_watts(c);
        watts[r] = wc >= 0 ? wc : NAN;
        above[r] = wb >= 0 && wc >= 0 ? wc - wb : NAN;
    }
    /* Seeded by the entry, so the intervals are the same for the same results. */
    uint64_t seed = info->seed ^ ((uint64_t)e << 32);
    impact_summary_t s;
    s.slowdown = impact_stats(slow, n, BOOTSTRAP_RESAMPLES, seed);
    s.value = impact_stats(value, n, BOOTSTRAP_RESAMPLES, seed + 1);
    s.miner_hps = impact_stats(hps, n, BOOTSTRAP_RESAMPLES, seed + 2);
    s.victim_cpu_s = median_of(cpu, n);
    s.victim_cpu_change = median_of(cpu_change, n);
    double w = median_of(watts, n);
    s.watts = isnan(w) ? -1 : w;
    s.marginal_watts = median_of(above, n);
    s.money = -1;
    if (!isnan(s.marginal_watts) && info->price >= 0)
        s.money = (s.marginal_watts > 0 ? s.marginal_watts : 0) * info->hours / 1000 * info->price;
    return s;
}

impact_stats_t impact_baseline_value(const impact_victim_results_t *v)
{
    double value[IMPACT_MAX_ROUNDS];
    const impact_entry_t *base = &v->entry[0];
    for (unsigned r = 0; r < base->rounds; r++)
        value[r] = base->run[r].value;
    return impact_stats(value, base->rounds, BOOTSTRAP_RESAMPLES, 1);
}

double impact_baseline_drift_percent(const impact_victim_results_t *v)
{
    const impact_entry_t *base = &v->entry[0];
    if (base->rounds < 2)
        return NAN;
    return impact_slowdown_percent(base->run[0].value, base->run[base->rounds - 1].value,
                                   v->higher_is_better);
}

static const char *mode_of(const impact_entry_t *e)
{
    return e->algo == NULL || pow_algo_rx(e->algo) == NULL ? "" : e->fast ? "fast" : "light";
}

/* "rx/0 light", "cn/r" */
static void config_label(const impact_entry_t *e, char *out, size_t cap)
{
    const char *mode = mode_of(e);
    snprintf(out, cap, "%s%s%s", pow_algo_name(e->algo), mode[0] ? " " : "", mode);
}

void impact_report_table(FILE *out, const impact_victim_results_t *victims, unsigned count,
                         const impact_run_info_t *info)
{
    const char *mark = info->power_estimated ? "~" : "";
    for (unsigned k = 0; k < count; k++) {
        const impact_victim_results_t *v = &victims[k];
        impact_stats_t base = impact_baseline_value(v);
        fprintf(out,
                "%s (%s, %s is better): alone %.4g (%.4g-%.4g) over %u round(s); baseline "
                "drift first to last %+.1f%%\n",
                v->victim, v->unit, v->higher_is_better ? "higher" : "lower", base.median, base.min,
                base.max, base.n, impact_baseline_drift_percent(v));
        fprintf(out, "  %-12s %7s %4s %10s %9s %-17s %-17s %10s %8s %9s\n", "miner", "threads",
                "int", "value", "slowdown", "min-max", "95% CI", "miner H/s", "CPU", "+W");
        for (unsigned e = 1; e < v->entries; e++) {
            const impact_entry_t *c = &v->entry[e];
            const impact_summary_t *s = &v->summary[e];
            char label[32], range[40], ci[40], watts[24] = "n/a";
            config_label(c, label, sizeof(label));
            snprintf(range, sizeof(range), "%+.1f..%+.1f%%", s->slowdown.min, s->slowdown.max);
            snprintf(ci, sizeof(ci), "[%+.1f, %+.1f]", s->slowdown.ci95_low, s->slowdown.ci95_high);
            if (!isnan(s->marginal_watts))
                snprintf(watts, sizeof(watts), "%s%+.2f", mark, s->marginal_watts);
            fprintf(out, "  %-12s %7u %3u%% %10.4g %+8.1f%% %-17s %-17s %10.1f %+7.1f%% %9s\n",
                    label, c->threads, c->intensity, s->value.median, s->slowdown.median, range, ci,
                    s->miner_hps.median, s->victim_cpu_change, watts);
        }
    }
    fprintf(out,
            "slowdown: extra time per unit of the victim's work beside the miner, round by round "
            "against the baseline of the same round (median, min-max, the median's 95%% "
            "bootstrap interval); CPU: the victim's CPU time against the baseline's; +W: power "
            "above the baseline's, %s\n",
            info->power_source != NULL ? info->power_source : "n/a");
}

static json_t *stats_json(const impact_stats_t *s)
{
    if (s->n == 0)
        return json_pack("{s:n, s:n, s:n, s:[n, n], s:i}", "median", "min", "max", "ci95", "n", 0);
    return json_pack("{s:f, s:f, s:f, s:[f, f], s:i}", "median", s->median, "min", s->min, "max",
                     s->max, "ci95", s->ci95_low, s->ci95_high, "n", (int)s->n);
}

static json_t *number_or_null(double v)
{
    return isnan(v) || v < -1e300 ? json_null() : json_real(v);
}

static json_t *known_or_null(double v)
{
    return v >= 0 ? json_real(v) : json_null();
}

static json_t *baseline_json(const impact_victim_results_t *v)
{
    const impact_entry_t *b = &v->entry[0];
    double cpu[IMPACT_MAX_ROUNDS], watts[IMPACT_MAX_ROUNDS];
    for (unsigned r = 0; r < b->rounds; r++) {
        cpu[r] = b->run[r].victim_cpu_s;
        double w = impact_window_watts(&b->run[r]);
        watts[r] = w >= 0 ? w : NAN;
    }
    impact_stats_t value = impact_baseline_value(v);
    double w = median_of(watts, b->rounds);
    return json_pack("{s:s, s:s, s:o, s:o, s:o, s:o}", "unit", v->unit, "better",
                     v->higher_is_better ? "higher" : "lower", "value", stats_json(&value),
                     "victim_cpu_seconds", number_or_null(median_of(cpu, b->rounds)), "watts",
                     isnan(w) ? json_null() : json_real(w), "drift_percent",
                     number_or_null(impact_baseline_drift_percent(v)));
}

static json_t *configuration_json(const impact_victim_results_t *v, unsigned e,
                                  const impact_run_info_t *info)
{
    const impact_entry_t *c = &v->entry[e];
    const impact_summary_t *s = &v->summary[e];
    json_t *pus = json_array();
    for (unsigned i = 0; i < c->threads; i++)
        json_array_append_new(pus, json_integer(c->pus[i]));
    json_t *o =
        json_pack("{s:s, s:s, s:s, s:i, s:i, s:s, s:o, s:o, s:o, s:o}", "victim", v->victim, "algo",
                  pow_algo_name(c->algo), "mode", mode_of(c), "threads", (int)c->threads,
                  "intensity", (int)c->intensity, "placement", info->placement, "pus", pus,
                  "slowdown_percent", stats_json(&s->slowdown), "value", stats_json(&s->value),
                  "miner_hashes_per_second", stats_json(&s->miner_hps));
    json_object_set_new(o, "victim_cpu_seconds", number_or_null(s->victim_cpu_s));
    json_object_set_new(o, "victim_cpu_change_percent", number_or_null(s->victim_cpu_change));
    json_object_set_new(o, "watts", known_or_null(s->watts));
    json_object_set_new(o, "marginal_watts", number_or_null(s->marginal_watts));
    json_object_set_new(o, "power_source",
                        s->watts >= 0 && info->power_source != NULL
                            ? json_string(info->power_source)
                            : json_null());
    json_object_set_new(o, "money", known_or_null(s->money));
    return o;
}

int impact_report_json(const char *path, const impact_victim_results_t *victims, unsigned count,
                       const impact_run_info_t *info)
{
    json_t *argv = json_array();
    for (int i = 0; i < info->argc; i++)
        json_array_append_new(argv, json_string(info->argv[i]));
    json_t *run = json_pack(
        "{s:I, s:o, s:o, s:s, s:i, s:i, s:i, s:f, s:o, s:I, s:f, s:o}", "started_unix",
        (json_int_t)info->started_unix, "command_line", argv, "interrupted",
        info->interrupted ? json_string(info->interrupted) : json_null(), "placement",
        info->placement, "victim_pu", info->victim_pu, "nice", info->nice, "repeat",
        (int)info->repeat, "duration_seconds", info->duration, "victim_command",
        info->command ? json_string(info->command) : json_null(), "seed", (json_int_t)info->seed,
        "hours", info->hours, "price", info->price >= 0 ? json_real(info->price) : json_null());
    json_object_set_new(
        run, "power",
        json_pack("{s:o, s:o}", "source",
                  info->power_source ? json_string(info->power_source) : json_null(), "reason",
                  info->power_source == NULL && info->power_reason != NULL
                      ? json_string(info->power_reason)
                      : json_null()));
    json_t *baseline = json_object(), *configurations = json_array();
    for (unsigned k = 0; k < count; k++) {
        json_object_set_new(baseline, victims[k].victim, baseline_json(&victims[k]));
        for (unsigned e = 1; e < victims[k].entries; e++)
            json_array_append_new(configurations, configuration_json(&victims[k], e, info));
    }
    json_t *root = json_pack("{s:s, s:o, s:o, s:o}", "minemeter", PACKAGE_VERSION, "run", run,
                             "baseline", baseline, "configurations", configurations);
    if (root == NULL)
        return -ENOMEM;
    bench_out_t o;
    int rc = bench_out_open(&o, path);
    if (rc == 0) {
        if (json_dumpf(root, o.f, JSON_INDENT(2) | JSON_PRESERVE_ORDER) != 0)
            bench_out_fail(&o, EIO);
        rc = bench_out_close(&o, path);
    }
    json_decref(root);
    return rc;
}

/* A number, or an empty field when unknown. */
static void csv_number(bench_out_t *o, double v)
{
    if (isnan(v))
        bench_out_printf(o, ",");
    else
        bench_out_printf(o, ",%.10g", v);
}

int impact_report_csv(const char *path, const impact_victim_results_t *victims, unsigned count,
                      const impact_run_info_t *info)
{
    bench_out_t o;
    int rc = bench_out_open(&o, path);
    if (rc != 0)
        return rc;
    bench_out_printf(
        &o, "victim,unit,algo,mode,threads,intensity,placement,baseline_value,value,"
            "slowdown_median,slowdown_min,slowdown_max,slowdown_ci95_low,slowdown_ci95_high,"
            "miner_hps,victim_cpu_change_percent,watts,marginal_watts,money\n");
    for (unsigned k = 0; k < count; k++) {
        const impact_victim_results_t *v = &victims[k];
        impact_stats_t base = impact_baseline_value(v);
        for (unsigned e = 1; e < v->entries; e++) {
            const impact_entry_t *c = &v->entry[e];
            const impact_summary_t *s = &v->summary[e];
            bench_out_printf(&o, "%s,%s,%s,%s,%u,%u,%s", v->victim, v->unit, pow_algo_name(c->algo),
                             mode_of(c), c->threads, c->intensity, info->placement);
            csv_number(&o, base.median);
            csv_number(&o, s->value.median);
            csv_number(&o, s->slowdown.median);
            csv_number(&o, s->slowdown.min);
            csv_number(&o, s->slowdown.max);
            csv_number(&o, s->slowdown.ci95_low);
            csv_number(&o, s->slowdown.ci95_high);
            csv_number(&o, s->miner_hps.median);
            csv_number(&o, s->victim_cpu_change);
            csv_number(&o, s->watts >= 0 ? s->watts : NAN);
            csv_number(&o, s->marginal_watts);
            csv_number(&o, s->money >= 0 ? s->money : NAN);
            bench_out_printf(&o, "\n");
        }
    }
    return bench_out_close(&o, path);
}
