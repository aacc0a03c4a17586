/* The workers' priority: set per worker thread, so the rest of the process keeps its own. */
#define _GNU_SOURCE
#include "config.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "cli/priority_options.h"

int cli_priority_parse(const char *command, const cli_value_t *nice,
                       const cli_value_t *cpu_priority, cli_priority_t *out)
{
    *out = (cli_priority_t){0};
    if (nice->set && cpu_priority->set) {
        cli_usage_error(command, "--nice and --cpu-priority say the same thing: give one");
        return CLI_EXIT_USAGE;
    }
    if (nice->set) {
        out->set = 1;
        out->nice = (int)nice->number;
    } else if (cpu_priority->set) {
        static const int nice_of[] = {19, 5, 0}; /* XMRig's mapping of 0-2 */
        if (cpu_priority->number > 2) {
            cli_usage_error(command,
                            "--cpu-priority %lu would raise the miner above the machine's own "
                            "work, which minemeter never does: use 0-2 (or --nice)",
                            cpu_priority->number);
            return CLI_EXIT_USAGE;
        }
        out->set = 1;
        out->nice = nice_of[cpu_priority->number];
        out->idle = cpu_priority->number == 0;
    }
    return CLI_CONTINUE;
}

void cli_priority_apply(const char *command, const cli_priority_t *p, const miner_t *miner,
                        unsigned threads)
{
    if (!p->set)
        return;
    for (unsigned i = 0; i < threads; i++) {
        int tid = 0;
        for (int wait = 0; wait < 200 && (tid = miner_thread_tid(miner, i)) == 0; wait++) {
            struct timespec ms = {0, 10000000};
            nanosleep(&ms, NULL); /* a worker says its id once it runs */
        }
        if (tid == 0) {
            cli_error(command, "worker %u never started: its priority is left as it is", i);
            continue;
        }
        if (setpriority(PRIO_PROCESS, (id_t)tid, p->nice) != 0)
            cli_error(command, "cannot set worker %u to nice %d: %s", i, p->nice, strerror(errno));
        struct sched_param param = {0};
        if (p->idle && sched_setscheduler(tid, SCHED_IDLE, &param) != 0)
            cli_error(command, "cannot put worker %u on SCHED_IDLE: %s", i, strerror(errno));
    }
}

const char *cli_priority_describe(const cli_priority_t *p)
{
    static char text[64];
    if (!p->set)
        return "";
    if (p->idle)
        snprintf(text, sizeof(text), " at idle priority (nice 19, SCHED_IDLE)");
    else
        snprintf(text, sizeof(text), " at nice %d", p->nice);
    return text;
}
