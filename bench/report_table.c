/*
 * The benchmark's table for people: one row per (algorithm, threads), the
 * reference comparison, and the derived cost of a miner.
 */
#include "config.h"

#include <stdio.h>

#include "bench/report.h"
#include "bench/cost.h"

void bench_table_row(const bench_result_t *r, unsigned t)
{
    const bench_stats_t *h = &r->hps[t];
    double single = r->hps[0].median;
    char cycles[32] = "n/a", joules[32] = "n/a", scaling[16] = "";
    /* Each row names its counter: TSC ticks are wall time at a fixed rate, not core cycles. */
    if (r->cycles[t].median > 0)
        snprintf(cycles, sizeof(cycles), "%.1fM %s", r->cycles[t].median / 1e6,
                 r->last[t].cycles_source == ARCH_CYCLES_TSC ? "tsc" : "core");
    /* "~": the power model's estimate, never to be read as a measurement. */
    if (r->joules_per_hash[t] >= 0)
        snprintf(joules, sizeof(joules), "%s%.3g", r->energy_estimated ? "~" : "",
                 r->joules_per_hash[t]);
    if (r->threads[0] == 1 && single > 0)
        snprintf(scaling, sizeof(scaling), "%.2f", h->median / single);
    printf("%-12s %7u %10.2f %9.2f-%-9.2f %10.2f %7s %12s %8s\n", r->label, r->threads[t],
           h->median, h->min, h->max, h->median / r->threads[t], scaling, cycles, joules);
}

void bench_table_reference(const bench_result_t *r)
{
    const char *name = r->label;
    if (!r->verified)
        return;
    if (!r->have_reference && !r->have_reference_hps) {
        printf("  %-10s reference: %s\n", name, r->reference_note);
        return;
    }
    if (r->have_reference_hps) {
        /* RandomX: the reference ran after each of our runs at each thread count. */
        printf("  %-10s reference (%s):\n", name, r->reference_name);
        for (unsigned t = 0; t < r->thread_counts; t++) {
            const bench_stats_t *ref = &r->reference_hps[t], *ratio = &r->reference_ratio[t];
            if (ref->n == 0) {
                printf("  %-10s   %u thread(s): reference n/a (%s)\n", "", r->threads[t],
                       r->reference_note[0] != '\0' ? r->reference_note
                                                    : "the reference run failed");
                continue;
            }
            const bench_stats_t *aa = &r->reference_aa_ratio[t];
            printf("  %-10s   %u thread(s): reference %.2f H/s (%.2f-%.2f), minemeter %.2f H/s = "
                   "%.3fx; run by run %.3fx (%.3f-%.3f); A/A %.3fx (%.3f-%.3f)\n",
                   "", r->threads[t], ref->median, ref->min, ref->max, r->hps[t].median,
                   ref->median > 0 ? r->hps[t].median / ref->median : 0.0, ratio->median,
                   ratio->min, ratio->max, aa->median, aa->min, aa->max);
        }
        return;
    }
    const bench_stats_t *ref = &r->reference_seconds_per_hash;
    double ours = 0;
    for (unsigned t = 0; t < r->thread_counts; t++) {
        if (r->threads[t] == 1)
            ours = r->hps[t].median;
    }
    printf("  %-10s reference (%s): %.1f ms/hash (%.1f-%.1f) = %.2f H/s", name, r->reference_name,
           ref->median * 1e3, ref->min * 1e3, ref->max * 1e3, 1.0 / ref->median);
    if (ours > 0)
        printf("; minemeter 1 thread %.2f H/s = %.2fx the reference", ours, ours * ref->median);
    printf("\n");
    if (r->have_reference_jit) {
        const bench_stats_t *jit = &r->reference_jit_seconds_per_hash;
        printf("  %-10s reference with its cn/r JIT on: %.1f ms/hash (%.1f-%.1f) = %.2f H/s", name,
               jit->median * 1e3, jit->min * 1e3, jit->max * 1e3, 1.0 / jit->median);
        if (ours > 0)
            printf("; minemeter = %.2fx", ours * jit->median);
        printf("\n");
    } else if (r->reference_jit_note[0] != '\0') {
        printf("  %-10s reference with its cn/r JIT on: n/a (%s)\n", name, r->reference_jit_note);
    }
}

/*
 * What a miner at the measured load takes over hours: CPU-hours always,
 * energy and money when a counter was readable. Derived from the row it
 * names (bench/cost.h), and labelled so.
 */
void bench_table_cost(const bench_result_t *results, unsigned count,
                      const bench_cost_basis_t *basis)
{
    printf("cost of a miner over %.0f h, derived from each algorithm's row with the most "
           "threads:\n",
           basis->hours);
    for (unsigned a = 0; a < count; a++) {
        const bench_result_t *r = &results[a];
        if (!r->verified || r->thread_counts == 0)
            continue;
        bench_cost_t c = bench_cost_of(r, bench_cost_row(r), basis);
        printf("  %-12s x%-3u %.0f hashes, %.1f CPU-hours", r->label, c.threads, c.hashes,
               c.cpu_hours);
        if (c.cpu_hours_capped && c.threads > c.pus_used)
            printf(" (capped: %u threads share %u PU(s), which have no more hours than that)",
                   c.threads, c.pus_used);
        else if (c.cpu_hours_capped)
            printf(" (capped at what %u PU(s) have: the CPU time measured ran a little over the "
                   "wall time)",
                   c.pus_used);
        if (c.cpu_money >= 0)
            printf(" = %.2f at %.4f per vCPU-hour", c.cpu_money, basis->vcpu_price);
        const char *mark = r->energy_estimated ? "~" : "";
        if (c.kwh >= 0) {
            printf(", %s%.2f W = %s%.3f kWh", mark, r->watts[bench_cost_row(r)], mark, c.kwh);
            if (c.kwh_above_idle >= 0)
                printf(" (%s%.3f kWh above idle: what the miner adds)", mark, c.kwh_above_idle);
            if (c.money >= 0)
                printf(", %s%.2f at %.4f per kWh", mark, c.money, basis->price);
        } else {
            printf(", energy n/a (%s)", basis->power_source == NULL && basis->power_reason != NULL
                                            ? basis->power_reason
                                            : "the energy source did not read");
        }
        printf("\n");
    }
}
