/*
 * Running a victim command with a timeout, pinned, and measured.
 */
#include "impact/victim_cmd.h"

#include <stdint.h>
#include <string.h>
#include <sys/wait.h>

#include "arch/child_process.h"

static int stop_set(void *context)
{
    const volatile sig_atomic_t *stop = context;
    return stop != NULL && *stop;
}

int impact_victim_run(const char *command, int pu, double timeout_seconds,
                      volatile sig_atomic_t *stop, impact_victim_result_t *out)
{
    memset(out, 0, sizeof(*out));
    char *argv[] = {"/bin/sh", "-c", (char *)command, NULL};
    arch_child_spec_t spec = {
        .path = "/bin/sh",
        .argv = argv,
        .pu = pu,
        .timeout_ns = (uint64_t)(timeout_seconds * 1e9),
        .stop = stop_set,
        .context = (void *)stop,
        .err = out->stderr_tail,
        .err_cap = sizeof(out->stderr_tail),
        .err_tail = 1,
    };
    arch_child_result_t r;
    int rc = arch_child_run(&spec, &r);
    if (rc != 0)
        return rc;
    out->wall_seconds = r.wall_seconds;
    out->cpu_seconds = r.cpu_seconds;
    out->timed_out = r.timed_out;
    out->stopped = r.stopped;
    out->exit_status = WIFEXITED(r.status) ? WEXITSTATUS(r.status) : 128 + WTERMSIG(r.status);
    return 0;
}
