/*
 * Measuring one plan entry (bench/measure.c): nothing is measured before
 * its algorithm has just hashed its vectors right on the chosen path.
 */
#ifndef MINEMETER_BENCH_MEASURE_H
#define MINEMETER_BENCH_MEASURE_H

#include "arch/topology.h"
#include "bench/report.h"
#include "bench/throughput.h"

/* Checks algo's vectors on isa; prints why not and returns nonzero when they fail. */
int bench_verify_algo(const pow_algo_t *algo, pow_isa_t isa);

/*
 * Asks the measurement to stop (from a signal handler: SIGINT, SIGTERM):
 * the repetition under way ends, the thread counts measured whole are kept.
 */
void bench_interrupt(int signum);

/* The signal that interrupted the benchmark, 0 if none. */
int bench_interrupted(void);

/*
 * Another miner measured in turns with ours at each thread count (bench
 * --xmrig): begin right after our first repetition at thread count t
 * (hps, its rate, sizes the peer's work), then a window after each of our
 * repetitions, then end. begin and window return 0, or nonzero to have no
 * more windows at t (-EINTR also ends the measurement); end always follows
 * a begin.
 */
typedef struct {
    int (*begin)(void *context, bench_result_t *r, unsigned t, double hps);
    int (*window)(void *context, bench_result_t *r, unsigned t, unsigned rep, unsigned repeat);
    void (*end)(void *context, bench_result_t *r, unsigned t);
    void *context;
} bench_peer_t;

/*
 * Measures r's thread counts repeat times for duration seconds each, with
 * the reference (when installed and with_reference) after each single-thread
 * run and peer (NULL: none) in turns, printing a table row per thread count.
 * Returns 0 or a negative errno; -EINTR after bench_interrupt, with
 * r->thread_counts cut to the rows measured whole.
 */
int bench_measure_algo(arch_topology_t *topo, const int *pus, const bench_target_t *target,
                       unsigned repeat, unsigned duration, int with_reference,
                       const bench_peer_t *peer, bench_result_t *r);

/*
 * The pages kind ("THP", "2MB" ...) of the memory at ptr, and for THP how
 * much of it the kernel really backs with huge pages now ("THP, 97% huge"),
 * into out.
 */
void bench_pages_describe(const char *kind, const void *ptr, size_t len, char *out, size_t cap);

/*
 * Power while nothing of ours runs, over seconds, from energy: the baseline
 * the marginal figures are taken against. < 0 when energy is NULL or did not
 * read.
 */
struct arch_energy;
double bench_idle_watts(struct arch_energy *energy, double seconds);

#endif
