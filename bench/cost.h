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
    double hours;       /* the span the cost is for */
    double price;       /* per kWh; < 0: none given */
    double idle_watts;  /* the package at rest; < 0: unknown */
    unsigned pus;       /* PUs this process may run on */
    const int *pinning; /* the PU of thread i (OS index, -1 unpinned), BENCH_MAX_THREADS long */
} bench_cost_basis_t;

typedef struct {
    unsigned threads;
    unsigned pus_used; /* distinct PUs under the threads */
    double hashes;     /* over the hours */
    double cpu_hours;  /* at most pus_used * hours */
    int cpu_hours_capped;
    double kwh;            /* package energy; < 0 unknown (no counter) */
    double kwh_above_idle; /* what the miner adds over idle; < 0 unknown */
    double money;          /* kwh * price; < 0 unknown or no price */
} bench_cost_t;

/* The distinct PUs the first threads threads were pinned to (unpinned: as many as can run). */
unsigned bench_cost_pus_used(const bench_cost_basis_t *basis, unsigned threads);

/* The cost of r's t-th row over basis->hours. */
bench_cost_t bench_cost_of(const bench_result_t *r, unsigned t, const bench_cost_basis_t *basis);

/* The row the cost section speaks for: the most threads measured. */
static inline unsigned bench_cost_row(const bench_result_t *r)
{
    return r->thread_counts - 1;
}

#endif
