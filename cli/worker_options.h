/*
 * The options every hashing command shares (mine, load): --algo, --mode,
 * --threads, --affinity, --pin, checked the same way and turned into a
 * miner placement: the algorithm, RandomX light or fast, the thread count
 * and the PU of each thread.
 */
#ifndef MINEMETER_CLI_WORKER_OPTIONS_H
#define MINEMETER_CLI_WORKER_OPTIONS_H

#include "arch/topology.h"
#include "cli/args.h"
#include "miner/miner.h"
#include "pow/algo.h"

/* The option table entries, for commands to include in theirs. */
#define CLI_WORKER_OPTION_ALGO                                                                     \
    {                                                                                              \
        "algo", CLI_OPT_STRING, "ALGO[:MODE]", 0, 0,                                               \
            "algorithm when nothing else says (default rx/0; rx/0:fast names the mode too)", 'a',  \
            NULL                                                                                   \
    }
#define CLI_WORKER_OPTION_THREADS                                                                  \
    {                                                                                              \
        "threads", CLI_OPT_UINT, "N", 1, MINER_MAX_THREADS,                                        \
            "worker threads (default: one per core with 2 MiB of L3)", 't', NULL                   \
    }
#define CLI_WORKER_OPTION_AFFINITY                                                                 \
    {                                                                                              \
        "affinity", CLI_OPT_STRING, "LIST", 0, 0,                                                  \
            "pin thread i to the i-th PU of LIST (OS indexes, e.g. 0-3,8)"                         \
    }
#define CLI_WORKER_OPTION_PIN                                                                      \
    {                                                                                              \
        "pin", CLI_OPT_STRING, "MODE", 0, 0, "core (default): a core per thread first; pu; none"   \
    }
#define CLI_WORKER_OPTION_MODE                                                                     \
    {                                                                                              \
        "mode", CLI_OPT_STRING, "MODE", 0, 0,                                                      \
            "RandomX: auto (default: fast if the 2080 MiB dataset fits, else light), fast or "     \
            "light (the 256 MiB cache)"                                                            \
    }

typedef struct {
    const cli_value_t *algo, *mode, *threads, *affinity, *pin;
} cli_worker_values_t;

typedef struct {
    const pow_algo_t *algo;
    int fast;
    unsigned threads;
    arch_topology_t *topo;
    int pus[MINER_MAX_THREADS];
    char mode_reason[320];    /* RandomX: why light or fast ("" for other algorithms) */
    char threads_reason[128]; /* why this many threads: the L3 rule, or --threads */
} cli_workers_t;

/*
 * Checks the values and fills workers (loading the topology). Returns
 * CLI_CONTINUE, or the exit code after printing one sentence.
 */
int cli_workers_setup(const char *command, const cli_worker_values_t *values,
                      cli_workers_t *workers);

/* Refuses --affinity text in one sentence that lists the PUs (OS indexes) topo has. */
void cli_affinity_refused(const char *command, const char *text, const arch_topology_t *topo);

/* A miner configuration for workers (callbacks left empty). */
miner_config_t cli_workers_miner_config(cli_workers_t *workers);

void cli_workers_release(cli_workers_t *workers);

#endif
