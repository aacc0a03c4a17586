/*
 * --nice and XMRig's --cpu-priority for the commands that mine (mine,
 * load): the workers' scheduling priority, lowered only. minemeter never
 * raises itself above the machine's own work, so XMRig's priorities 3-5
 * (nice -5 to -15) are refused.
 */
#ifndef MINEMETER_CLI_PRIORITY_OPTIONS_H
#define MINEMETER_CLI_PRIORITY_OPTIONS_H

#include "cli/args.h"
#include "miner/miner.h"

#define CLI_PRIORITY_OPTION_NICE                                                                   \
    {                                                                                              \
        "nice", CLI_OPT_UINT, "N", 0, 19,                                                          \
            "run the worker threads at this nice value (19: the lowest priority)"                  \
    }
#define CLI_PRIORITY_OPTION_CPU_PRIORITY                                                           \
    {                                                                                              \
        "cpu-priority", CLI_OPT_UINT, "P", 0, 5,                                                   \
            "XMRig's worker priority: 0 idle (nice 19 and SCHED_IDLE), 1 nice 5, 2 normal; 3-5 "   \
            "are refused"                                                                          \
    }

typedef struct {
    int set;
    int nice;
    int idle; /* SCHED_IDLE as well */
} cli_priority_t;

/* Reads the values into out. CLI_CONTINUE, or CLI_EXIT_USAGE after one sentence. */
int cli_priority_parse(const char *command, const cli_value_t *nice,
                       const cli_value_t *cpu_priority, cli_priority_t *out);

/* Lowers the workers' priority (once they run); a failure is said, not fatal. */
void cli_priority_apply(const char *command, const cli_priority_t *priority, const miner_t *miner,
                        unsigned threads);

/* " at nice 10", " at idle priority (nice 19, SCHED_IDLE)" or "" for the start line. */
const char *cli_priority_describe(const cli_priority_t *priority);

#endif
