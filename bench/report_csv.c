/*
 * The benchmark as CSV for spreadsheets: one row per verified (result,
 * thread count). Fields are quoted as RFC 4180 says (only when they hold a
 * comma, a quote or a line break); a figure that was not measured is an
 * empty field, never a zero, so that averages over a column stay honest.
 */
#include "config.h"
#include "bench/report.h"
#include "bench/report_file.h"
#include "bench/cost.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arch/clock.h"

typedef bench_out_t csv_out_t;

static void csv_separate(csv_out_t *o)
{
    if (o->col++ > 0)
        bench_out_printf(o, ",");
}

static void csv_end_row(csv_out_t *o)
{
    bench_out_printf(o, "\n");
    o->col = 0;
}

static void csv_text(csv_out_t *o, const char *s)
{
    csv_separate(o);
    if (s == NULL)
        return;
    if (strpbrk(s, ",\"\r\n") == NULL) {
        bench_out_printf(o, "%s", s);
        return;
    }
    bench_out_printf(o, "\"");
    for (const char *q; (q = strchr(s, '"')) != NULL; s = q + 1)
        bench_out_printf(o, "%.*s\"\"", (int)(q - s), s);
    bench_out_printf(o, "%s\"", s);
}

/* The shortest decimal that reads back as the same double: exact, yet short for people. */
static void csv_number(csv_out_t *o, double v)
{
    csv_separate(o);
    if (!isfinite(v))
        return;
    char buf[40];
    for (int digits = 15; digits <= 17; digits++) {
        snprintf(buf, sizeof(buf), "%.*g", digits, v);
        if (strtod(buf, NULL) == v)
            break;
    }
    bench_out_printf(o, "%s", buf);
}

static void csv_empty(csv_out_t *o)
{
    csv_separate(o);
}

static const char *const HEADER[] = {
    "label",
    "algo",
    "mode",
    "isa",
    "threads",
    "hps_median",
    "hps_min",
    "hps_max",
    "hps_per_thread",
    "scaling",
    "cpu_seconds_per_hash_median",
    "cycles_per_hash_median",
    "cycles_source",
    "joules_per_hash",
    "watts",
    "marginal_joules_per_hash",
    "marginal_watts",
    "power_source",
    "pages",
    "reference_seconds_per_hash_median",
    "cost_hours",
    "cost_pus_used",
    "cost_hashes",
    "cost_cpu_hours",
    "cost_cpu_hours_capped",
    "cost_cpu_money",
    "cost_kwh",
    "cost_kwh_above_idle",
    "cost_money",
};

static void csv_known(csv_out_t *o, double v)
{
    if (v >= 0)
        csv_number(o, v);
    else
        csv_empty(o);
}

static void csv_row(csv_out_t *o, const bench_result_t *r, unsigned t,
                    const bench_cost_basis_t *basis)
{
    /* Scaling is relative to one thread, so it exists only when the plan measured one thread. */
    double single = 0;
    for (unsigned i = 0; i < r->thread_counts; i++)
        if (r->threads[i] == 1)
            single = r->hps[i].median;

    csv_text(o, r->label);
    csv_text(o, pow_algo_name(r->algo));
    csv_text(o, pow_algo_rx(r->algo) == NULL ? "" : r->fast ? "fast" : "light");
    csv_text(o, pow_isa_name(r->isa));
    csv_separate(o);
    bench_out_printf(o, "%u", r->threads[t]);
    csv_number(o, r->hps[t].median);
    csv_number(o, r->hps[t].min);
    csv_number(o, r->hps[t].max);
    csv_number(o, r->threads[t] > 0 ? r->hps[t].median / r->threads[t] : NAN);
    if (single > 0)
        csv_number(o, r->hps[t].median / single);
    else
        csv_empty(o);
    csv_number(o, r->cpu_seconds[t].median);
    /* Without a cycle counter the measurement leaves 0 cycles: unknown, not free. */
    if (r->cycles[t].median > 0)
        csv_number(o, r->cycles[t].median);
    else
        csv_empty(o);
    csv_text(o, arch_cycles_source_name(r->last[t].cycles_source));
    if (r->joules_per_hash[t] >= 0)
        csv_number(o, r->joules_per_hash[t]);
    else
        csv_empty(o);
    if (r->watts[t] >= 0)
        csv_number(o, r->watts[t]);
    else
        csv_empty(o);
    csv_known(o, bench_marginal_joules_per_hash(r, t, basis));
    csv_known(o, bench_marginal_watts(r, t, basis));
    if (basis->power_source != NULL && r->watts[t] >= 0)
        csv_text(o, basis->power_source);
    else
        csv_empty(o);
    csv_text(o, r->last[t].pages);
    if (r->have_reference > 0)
        csv_number(o, r->reference_seconds_per_hash.median);
    else
        csv_empty(o);
    bench_cost_t c = bench_cost_of(r, t, basis);
    csv_number(o, basis->hours);
    csv_number(o, c.pus_used);
    csv_number(o, c.hashes);
    csv_number(o, c.cpu_hours);
    csv_number(o, c.cpu_hours_capped);
    csv_known(o, c.cpu_money);
    csv_known(o, c.kwh);
    csv_known(o, c.kwh_above_idle);
    csv_known(o, c.money);
    csv_end_row(o);
}

int bench_report_csv(const char *path, const bench_result_t *results, unsigned count,
                     const bench_cost_basis_t *cost)
{
    csv_out_t o;
    int rc = bench_out_open(&o, path);
    if (rc != 0)
        return rc;
    for (size_t i = 0; i < sizeof(HEADER) / sizeof(HEADER[0]); i++)
        csv_text(&o, HEADER[i]);
    csv_end_row(&o);
    for (unsigned a = 0; a < count; a++)
        for (unsigned t = 0; results[a].verified && t < results[a].thread_counts; t++)
            csv_row(&o, &results[a], t, cost);
    return bench_out_close(&o, path);
}
