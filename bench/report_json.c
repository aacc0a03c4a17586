#include "config.h"
#include "bench/report.h"
#include "bench/report_file.h"
#include "bench/cost.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>

#include "arch/cpu.h"

static json_t *stats_json(const bench_stats_t *s)
{
    return json_pack("{s:f, s:f, s:f, s:i}", "median", s->median, "min", s->min, "max", s->max, "n",
                     (int)s->n);
}

static json_t *number_or_null(double v)
{
    return v >= 0 ? json_real(v) : json_null();
}

/* A row's cost over the basis's hours (bench/cost.h). */
static json_t *cost_json(const bench_result_t *r, unsigned t, const bench_cost_basis_t *basis)
{
    bench_cost_t c = bench_cost_of(r, t, basis);
    return json_pack("{s:f, s:i, s:f, s:f, s:b, s:o, s:o, s:o, s:o}", "hours", basis->hours,
                     "pus_used", (int)c.pus_used, "hashes", c.hashes, "cpu_hours", c.cpu_hours,
                     "cpu_hours_capped", c.cpu_hours_capped, "cpu_money",
                     number_or_null(c.cpu_money), "kwh", number_or_null(c.kwh), "kwh_above_idle",
                     number_or_null(c.kwh_above_idle), "money", number_or_null(c.money));
}

/*
 * A row's power figures with their source; when there are none, why
 * (docs/bench-json.md).
 */
static void power_json(json_t *row, const bench_result_t *r, unsigned t,
                       const bench_cost_basis_t *basis)
{
    json_object_set_new(row, "watts", number_or_null(r->watts[t]));
    json_object_set_new(row, "joules_per_hash", number_or_null(r->joules_per_hash[t]));
    json_object_set_new(row, "marginal_watts", number_or_null(bench_marginal_watts(r, t, basis)));
    json_object_set_new(row, "marginal_joules_per_hash",
                        number_or_null(bench_marginal_joules_per_hash(r, t, basis)));
    int have = basis->power_source != NULL && r->watts[t] >= 0;
    json_object_set_new(row, "power_source", have ? json_string(basis->power_source) : json_null());
    if (have && basis->idle_watts < 0)
        json_object_set_new(row, "power_reason",
                            json_string("the idle baseline could not be read, so no marginal "
                                        "figures"));
    else if (have)
        json_object_set_new(row, "power_reason", json_null());
    else
        json_object_set_new(row, "power_reason",
                            json_string(basis->power_source == NULL && basis->power_reason != NULL
                                            ? basis->power_reason
                                            : "the energy source did not read during the run"));
}

/* The run header: when, how, on what, with which build. */
static json_t *run_json(const bench_result_t *results, unsigned count, const bench_run_t *run)
{
    json_t *argv = json_array();
    for (int i = 0; i < run->argc; i++)
        json_array_append_new(argv, json_string(run->argv[i]));
    unsigned most = 0;
    for (unsigned a = 0; a < count; a++)
        for (unsigned t = 0; t < results[a].thread_counts; t++)
            most = results[a].threads[t] > most ? results[a].threads[t] : most;
    json_t *pinning = json_array();
    for (unsigned i = 0; i < most && i < BENCH_MAX_THREADS; i++)
        json_array_append_new(pinning,
                              json_integer(run->cost->pinning ? run->cost->pinning[i] : -1));
    return json_pack("{s:I, s:o, s:o, s:{s:i, s:i, s:i}, s:o, s:{s:s, s:b}, s:{s:s, s:s, s:s}}",
                     "started_unix", (json_int_t)run->started_unix, "command_line", argv,
                     "interrupted", run->interrupted ? json_string(run->interrupted) : json_null(),
                     "machine", "cores", (int)run->cores, "pus", (int)run->pus, "pus_allowed",
                     (int)run->cost->pus, "pinning", pinning, "pages_asked", "huge_pages",
                     run->huge_pages, "gb_pages", run->gb_pages, "build", "version",
                     PACKAGE_VERSION, "compiler", __VERSION__, "cflags", MINEMETER_CFLAGS);
}

/* The run's power source and the idle baseline the marginal figures are taken against. */
static json_t *power_run_json(const bench_cost_basis_t *basis)
{
    return json_pack("{s:o, s:o, s:o}", "source",
                     basis->power_source ? json_string(basis->power_source) : json_null(),
                     "idle_watts", number_or_null(basis->idle_watts), "reason",
                     basis->power_source == NULL && basis->power_reason != NULL
                         ? json_string(basis->power_reason)
                         : json_null());
}

int bench_report_json(const char *path, const bench_result_t *results, unsigned count,
                      const bench_run_t *run)
{
    const arch_cpu_t *cpu = arch_cpu();
    json_t *algos = json_array();
    for (unsigned a = 0; a < count; a++) {
        const bench_result_t *r = &results[a];
        json_t *runs = json_array();
        for (unsigned t = 0; r->verified && t < r->thread_counts; t++) {
            json_array_append_new(
                runs, json_pack("{s:i, s:o, s:f, s:o, s:o, s:s}", "threads", (int)r->threads[t],
                                "hashes_per_second", stats_json(&r->hps[t]),
                                "hashes_per_second_per_thread", r->hps[t].median / r->threads[t],
                                "cpu_seconds_per_hash", stats_json(&r->cpu_seconds[t]),
                                "cycles_per_hash", stats_json(&r->cycles[t]), "cycles_source",
                                arch_cycles_source_name(r->last[t].cycles_source)));
            json_t *row = json_array_get(runs, json_array_size(runs) - 1);
            power_json(row, r, t, run->cost);
            json_object_set_new(row, "pages",
                                json_string(r->last[t].pages ? r->last[t].pages : ""));
            json_object_set_new(row, "pages_huge_share",
                                number_or_null(r->last[t].pages_huge_share));
            json_object_set_new(row, "jit", json_boolean(r->last[t].jit));
            json_object_set_new(row, "lanes",
                                json_integer(r->last[t].lanes ? r->last[t].lanes : 1));
            json_object_set_new(row, "cost", cost_json(r, t, run->cost));
            if (r->xmrig_tried) {
                int measured = r->xmrig_hps[t].n > 0;
                json_object_set_new(row, "xmrig_hashes_per_second",
                                    measured ? stats_json(&r->xmrig_hps[t]) : json_null());
                json_object_set_new(row, "xmrig_ratio",
                                    measured ? json_real(r->hps[t].median / r->xmrig_hps[t].median)
                                             : json_null());
                json_object_set_new(row, "xmrig_shares_accepted",
                                    json_integer((json_int_t)r->xmrig_accepted[t]));
                if (!measured)
                    json_object_set_new(row, "xmrig_unavailable", json_string(r->xmrig_note));
            }
            if (r->have_reference_hps) {
                /* A thread count the reference failed at has no figure, not a zero. */
                int measured = r->reference_hps[t].n > 0;
                json_object_set_new(row, "reference_hashes_per_second",
                                    measured ? stats_json(&r->reference_hps[t]) : json_null());
                json_object_set_new(row, "reference_ratio",
                                    measured ? stats_json(&r->reference_ratio[t]) : json_null());
                json_object_set_new(row, "reference_aa_ratio",
                                    measured ? stats_json(&r->reference_aa_ratio[t]) : json_null());
                if (!measured)
                    json_object_set_new(row, "reference_unavailable",
                                        json_string(r->reference_note[0] != '\0'
                                                        ? r->reference_note
                                                        : "the reference run failed"));
            }
        }
        json_t *ref = r->have_reference ? json_pack("{s:s, s:o}", "implementation",
                                                    r->reference_name, "seconds_per_hash",
                                                    stats_json(&r->reference_seconds_per_hash))
                                        : json_pack("{s:s}", "unavailable", r->reference_note);
        json_array_append_new(algos, json_pack("{s:s, s:s, s:s, s:b, s:f, s:f, s:o, s:o}", "algo",
                                               pow_algo_name(r->algo), "mode",
                                               pow_algo_rx(r->algo) == NULL ? ""
                                               : r->fast                    ? "fast"
                                                                            : "light",
                                               "isa", pow_isa_name(r->isa), "verified", r->verified,
                                               "cache_seconds", r->cache_seconds,
                                               "reference_cache_seconds", r->ref_cache_seconds,
                                               "runs", runs, "reference", ref));
        if (r->have_reference && r->have_reference_jit)
            json_object_set_new(ref, "jit_seconds_per_hash",
                                stats_json(&r->reference_jit_seconds_per_hash));
        else if (r->have_reference && r->reference_jit_note[0] != '\0')
            json_object_set_new(ref, "jit_unavailable", json_string(r->reference_jit_note));
        if (r->ref_dataset_seconds > 0)
            json_object_set_new(json_array_get(algos, json_array_size(algos) - 1),
                                "reference_dataset_seconds", json_real(r->ref_dataset_seconds));
        if (r->xmrig_dataset_seconds > 0)
            json_object_set_new(json_array_get(algos, json_array_size(algos) - 1),
                                "xmrig_dataset_seconds", json_real(r->xmrig_dataset_seconds));
    }
    json_t *header = run_json(results, count, run);
    json_object_set_new(header, "power", power_run_json(run->cost));
    json_object_set_new(header, "xmrig", run->xmrig ? json_string(run->xmrig) : json_null());
    json_t *root = json_pack("{s:s, s:s, s:o, s:{s:s, s:s}, s:i, s:i, s:o}", "schema",
                             BENCH_JSON_SCHEMA, "minemeter", PACKAGE_VERSION, "run", header, "cpu",
                             "brand", cpu->brand, "arch", cpu->arch, "repeat", (int)run->repeat,
                             "duration_seconds", (int)run->duration, "algorithms", algos);
    char *text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(root);
    if (text == NULL)
        return -ENOMEM;
    bench_out_t out;
    int rc = bench_out_open(&out, path);
    if (rc == 0) {
        bench_out_printf(&out, "%s\n", text);
        rc = bench_out_close(&out, path);
    }
    free(text);
    return rc;
}
