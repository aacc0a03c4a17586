/*
 * A victim command for `minemeter impact --victim-cmd`: run once to
 * completion under /bin/sh, pinned to the victim's PU, in a process group
 * of its own, with its wall time and the CPU time it and its waited-for
 * children used. A command that runs past the timeout, or is stopped, is
 * killed with everything it started.
 */
#ifndef MINEMETER_IMPACT_VICTIM_CMD_H
#define MINEMETER_IMPACT_VICTIM_CMD_H

#include <signal.h>

typedef struct {
    double wall_seconds;
    double cpu_seconds;    /* user + system, the command and the children it waited for */
    int exit_status;       /* the exit code, or 128 + the signal that ended it */
    int timed_out;         /* killed at the timeout */
    int stopped;           /* killed because *stop was set */
    char stderr_tail[400]; /* the last bytes it wrote to stderr, for an error sentence */
} impact_victim_result_t;

/*
 * Runs command pinned to pu (OS index; -1 not pinned) for at most
 * timeout_seconds. stdout is discarded. Returns 0 when it ran (whatever its
 * exit status: see out), or a negative errno when it could not be started.
 */
int impact_victim_run(const char *command, int pu, double timeout_seconds,
                      volatile sig_atomic_t *stop, impact_victim_result_t *out);

#endif
