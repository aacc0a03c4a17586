#include "config.h"
#include "bench/cost.h"

unsigned bench_cost_pus_used(const bench_cost_basis_t *basis, unsigned threads)
{
    unsigned distinct = 0, unpinned = 0;
    for (unsigned i = 0; i < threads && i < BENCH_MAX_THREADS; i++) {
        if (basis->pinning == NULL || basis->pinning[i] < 0) {
            unpinned++;
            continue;
        }
        int seen = 0;
        for (unsigned k = 0; k < i && !seen; k++)
            seen = basis->pinning[k] == basis->pinning[i];
        distinct += !seen;
    }
    unsigned used = distinct + unpinned;
    return used < basis->pus || basis->pus == 0 ? used : basis->pus;
}

bench_cost_t bench_cost_of(const bench_result_t *r, unsigned t, const bench_cost_basis_t *basis)
{
    bench_cost_t c = {0};
    c.threads = r->threads[t];
    c.pus_used = bench_cost_pus_used(basis, c.threads);
    c.hashes = r->hps[t].median * basis->hours * 3600;
    c.cpu_hours = r->cpu_seconds[t].median * r->hps[t].median * basis->hours;
    double most = (double)c.pus_used * basis->hours;
    if (c.cpu_hours > most) {
        c.cpu_hours = most;
        c.cpu_hours_capped = 1;
    }
    c.kwh = c.kwh_above_idle = c.money = c.cpu_money = -1;
    if (r->watts[t] >= 0)
        c.kwh = r->watts[t] * basis->hours / 1000;
    double marginal = bench_marginal_watts(r, t, basis);
    if (marginal >= 0)
        c.kwh_above_idle = marginal * basis->hours / 1000;
    if (c.kwh_above_idle >= 0 && basis->price >= 0)
        c.money = c.kwh_above_idle * basis->price;
    if (basis->vcpu_price >= 0)
        c.cpu_money = c.cpu_hours * basis->vcpu_price;
    return c;
}

double bench_marginal_watts(const bench_result_t *r, unsigned t, const bench_cost_basis_t *basis)
{
    if (r->watts[t] < 0 || basis->idle_watts < 0)
        return -1;
    double above = r->watts[t] - basis->idle_watts;
    return above > 0 ? above : 0;
}

double bench_marginal_joules_per_hash(const bench_result_t *r, unsigned t,
                                      const bench_cost_basis_t *basis)
{
    double marginal = bench_marginal_watts(r, t, basis);
    if (marginal < 0 || r->joules_per_hash[t] < 0 || !(r->watts[t] > 0))
        return -1;
    /* joules_per_hash is watts x seconds / hashes: the same seconds and hashes, marginal watts. */
    return r->joules_per_hash[t] * marginal / r->watts[t];
}
