/*
 * What a miner at a measured load takes over some hours: hashes, CPU-hours,
 * energy and money, derived from one row of the benchmark (a result at one
 * thread count). The table, JSON and CSV all print these same figures.
 *
 * CPU-hours are the row's CPU seconds per hash times its hash rate, never
 * more than the PUs its threads ran on could give: threads that share a PU
 * (more threads than PUs, or a PU named twice in --affinity) share its
 * hours, and the figure says it was capped.
 */
#ifndef MINEMETER_BENCH_COST_H
#define MINEMETER_BENCH_COST_H

#include "bench/report.h"

typedef struct bench_cost_basis {
    double hours;      /* the span the cost is for */
    double price;      /* per kWh; < 0: none given */
    double vcpu_price; /* per CPU-hour (what a cloud customer pays); < 0: none given */
    double idle_watts; /* the machine at rest, measured just before the run; < 0: unknown */
    const char
        *power_source; /* the energy's label: "measured: ..." or "estimated: ..."; NULL none */
    const char *power_reason; /* why there is no power figure, when power_source is NULL */
    unsigned pus;             /* PUs this process may run on */
    const int *pinning; /* the PU of thread i (OS index, -1 unpinned), BENCH_MAX_THREADS long */
} bench_cost_basis_t;

typedef struct {
    unsigned threads;
    unsigned pus_used; /* distinct PUs under the threads */
    double hashes;     /* over the hours */
    double cpu_hours;  /* at most pus_used * hours */
    int cpu_hours_capped;
    double kwh;            /* energy while mining; < 0 unknown */
    double kwh_above_idle; /* what the miner adds over idle; < 0 unknown */
    double money;          /* kwh_above_idle * price: the miner's electricity; < 0 unknown */
    double cpu_money;      /* cpu_hours * vcpu_price: the capacity taken; < 0 no price */
} bench_cost_t;

/* The distinct PUs the first threads threads were pinned to (unpinned: as many as can run). */
unsigned bench_cost_pus_used(const bench_cost_basis_t *basis, unsigned threads);

/* The cost of r's t-th row over basis->hours. */
bench_cost_t bench_cost_of(const bench_result_t *r, unsigned t, const bench_cost_basis_t *basis);

/*
 * Power above the idle baseline while r's t-th row hashed (at least 0: on a
 * light load, noise can put a reading under the baseline), and the joules
 * per hash of that marginal energy. < 0 when either figure is unknown.
 */
double bench_marginal_watts(const bench_result_t *r, unsigned t, const bench_cost_basis_t *basis);
double bench_marginal_joules_per_hash(const bench_result_t *r, unsigned t,
                                      const bench_cost_basis_t *basis);

/* The row the cost section speaks for: the most threads measured. */
static inline unsigned bench_cost_row(const bench_result_t *r)
{
    return r->thread_counts - 1;
}

#endif
