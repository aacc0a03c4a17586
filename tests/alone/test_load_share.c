/*
 * minemeter load: the CPU share the OS sees, read from /proc/PID/stat
 * outside the process, is the asked intensity within 5 points, at 30 and 70.
 *
 * This suite is its own test binary, run after the main one, one test at a
 * time: a CPU share can only be checked on a machine that has the cores to
 * give it, not while Criterion runs other tests beside it.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <unistd.h>

#include "tests/support/load_run.h"
#include "tests/support/run_command.h"

/* Runs load at asked percent for 10 s and returns the CPU share /proc saw over 7 s of it. */
static double share_seen(unsigned asked)
{
    char log[64], intensity[8];
    snprintf(log, sizeof(log), "/tmp/minemeter-load-%d-%u.jsonl", (int)getpid(), asked);
    snprintf(intensity, sizeof(intensity), "%u", asked);
    pid_t pid = load_spawn(ARGS("--duration", "10", "--algo", "cn/r", "--threads", "1",
                                "--intensity", intensity, "--log", log));
    load_wait_for_event(log, "start");
    load_nap(1); /* past the first burst */
    double cpu0 = load_process_cpu_seconds(pid), t0 = load_now_s();
    load_nap(7);
    double share = 100 * (load_process_cpu_seconds(pid) - cpu0) / (load_now_s() - t0);
    cr_expect_eq(load_wait_exit(pid), 0);
    cr_expect(load_log_has_event(log, "summary"));
    unlink(log);
    return share;
}

Test(cli_load, the_os_sees_the_asked_cpu_share, .timeout = 120)
{
    static const unsigned asked[2] = {30, 70};
    for (int i = 0; i < 2; i++) {
        double share = share_seen(asked[i]);
        cr_log_info("asked %u%%: the OS saw %.1f%%", asked[i], share);
        cr_expect(share > asked[i] - 5.0 && share < asked[i] + 5.0, "asked %u%%, the OS saw %.1f%%",
                  asked[i], share);
    }
}
