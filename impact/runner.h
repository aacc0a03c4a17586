/*
 * One window of the impact protocol: a miner configuration (or none, for
 * the baseline) started and warmed up, the victim measured beside it, the
 * miner's hashes and the energy over the same window, the miner stopped.
 */
#ifndef MINEMETER_IMPACT_RUNNER_H
#define MINEMETER_IMPACT_RUNNER_H

#include <signal.h>

#include "arch/energy.h"
#include "arch/topology.h"
#include "impact/probe.h"
#include "miner/miner.h"
#include "pow/algo.h"

/* The miner beside the victim; threads 0 is the baseline (no miner). */
typedef struct {
    const pow_algo_t *algo;
    int fast; /* RandomX fast mode */
    unsigned threads;
    unsigned intensity; /* percent, 1-100 */
    int nice;           /* the workers' nice value; 0 leaves it */
    int idle;           /* SCHED_IDLE as well (XMRig's --cpu-priority 0) */
    const int *pus;     /* threads long: the PU of each worker */
    arch_topology_t *topo;
} impact_miner_spec_t;

/* The victim: a probe opened once for every window, or a command run once per window. */
typedef struct {
    impact_probe_t *probe; /* or NULL, with command */
    const char *command;
    double command_timeout;
    int pu;         /* the victim's PU (OS index), -1 unpinned */
    double seconds; /* a probe's window */
    volatile sig_atomic_t *stop;
    arch_energy_t *energy; /* NULL: no power figures */
} impact_victim_spec_t;

/* What one window measured. */
typedef struct {
    double value;                   /* the probe's headline figure, or the command's wall seconds */
    double p50_us, p99_us, p999_us; /* the latency probe's; < 0 otherwise */
    double victim_cpu_s;
    double wall_s;    /* the victim's window */
    double miner_hps; /* the miner's hash rate over the window; 0 for the baseline */
    double joules;    /* the energy over the window; < 0 unknown */
    int exit_status;  /* the command's */
    char stderr_tail[400];
} impact_window_t;

/*
 * Runs one window. Returns 0; -ECANCELED when *stop was set; -ETIMEDOUT
 * when the command ran past its timeout; -ENOMEM or -EAGAIN when the miner
 * could not be prepared; another negative errno from the probe. why says
 * what failed in one sentence.
 */
int impact_run_window(const impact_miner_spec_t *miner, const impact_victim_spec_t *victim,
                      impact_window_t *out, char *why, size_t cap);

#endif
