/* Running `minemeter load` from tests and reading what it logged (tests/support/load_run.h). */
#define _GNU_SOURCE
#include "tests/support/load_run.h"

#include "tests/support/spawn.h"

#include <criterion/criterion.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

pid_t load_spawn(const char *const args[])
{
    const char *argv[32] = {"load"};
    size_t n = 1;
    for (size_t i = 0; args[i] != NULL && n < 31; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
    cr_assert_geq(null, 0);
    pid_t pid = spawn_process(argv, null);
    close(null);
    return pid;
}

int load_wait_exit(pid_t pid)
{
    int status = 0;
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    cr_assert(WIFEXITED(status), "minemeter load did not exit normally");
    return WEXITSTATUS(status);
}

/* utime + stime of pid in seconds, from /proc. */
double load_process_cpu_seconds(pid_t pid)
{
    char path[64], buf[1024];
    snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f);
    size_t len = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[len] = '\0';
    /* Fields after the command name, which ends at the last ')'. */
    const char *p = strrchr(buf, ')');
    cr_assert_not_null(p);
    unsigned long utime = 0, stime = 0;
    cr_assert_eq(
        sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &utime, &stime), 2);
    return (double)(utime + stime) / (double)sysconf(_SC_CLK_TCK);
}

double load_now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

void load_nap(double s)
{
    struct timespec t = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
    nanosleep(&t, NULL);
}

/* Lines of the log that parse as JSON objects; fails the test on any other line. */
size_t load_read_log(const char *path, json_t **lines, size_t max)
{
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return 0;
    char buf[4096];
    size_t n = 0;
    while (fgets(buf, sizeof(buf), f) != NULL) {
        json_error_t err;
        json_t *j = json_loads(buf, 0, &err);
        cr_assert(json_is_object(j), "log line %zu is not a JSON object: %s", n + 1, buf);
        if (n < max)
            lines[n++] = j;
        else
            json_decref(j);
    }
    fclose(f);
    return n;
}

int load_log_has_event(const char *path, const char *event)
{
    json_t *lines[256];
    size_t n = load_read_log(path, lines, 256);
    int found = 0;
    for (size_t i = 0; i < n; i++) {
        found |= strcmp(json_string_value(json_object_get(lines[i], "event")), event) == 0;
        json_decref(lines[i]);
    }
    return found;
}

void load_wait_for_event(const char *path, const char *event)
{
    for (int i = 0; i < 600 && !load_log_has_event(path, event); i++)
        load_nap(0.1);
    cr_assert(load_log_has_event(path, event), "no \"%s\" in %s", event, path);
}
