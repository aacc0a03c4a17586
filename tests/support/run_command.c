#define _GNU_SOURCE

#include "run_command.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int temp_file(void)
{
    char path[] = "/tmp/minemeter-test-XXXXXX";
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0, "mkstemp: %s", strerror(errno));
    unlink(path);
    return fd;
}

static void slurp(int fd, char *buf, size_t cap)
{
    lseek(fd, 0, SEEK_SET);
    size_t used = 0;
    while (used + 1 < cap) {
        ssize_t n = read(fd, buf + used, cap - 1 - used);
        if (n <= 0)
            break;
        used += (size_t)n;
    }
    buf[used] = '\0';
    close(fd);
}

run_result_t *run_command(const char *const argv[], const char *stdin_text, unsigned timeout_s)
{
    run_result_t *r = calloc(1, sizeof(*r));
    cr_assert_not_null(r);
    int out_fd = temp_file();
    int err_fd = temp_file();
    int in_fd = -1;
    if (stdin_text != NULL) {
        in_fd = temp_file();
        size_t len = strlen(stdin_text);
        cr_assert_eq(write(in_fd, stdin_text, len), (ssize_t)len);
        lseek(in_fd, 0, SEEK_SET);
    } else {
        in_fd = open("/dev/null", O_RDONLY);
        cr_assert_geq(in_fd, 0);
    }

    pid_t pid = fork();
    cr_assert_geq(pid, 0, "fork: %s", strerror(errno));
    if (pid == 0) {
        dup2(in_fd, 0);
        dup2(out_fd, 1);
        dup2(err_fd, 2);
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    close(in_fd);

    int status = 0;
    struct timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (;;) {
        pid_t w = waitpid(pid, &status, WNOHANG);
        cr_assert_geq(w, 0, "waitpid: %s", strerror(errno));
        if (w == pid)
            break;
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (now.tv_sec - start.tv_sec >= (time_t)timeout_s) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            cr_assert_fail("%s did not finish within %u s", argv[0], timeout_s);
        }
        struct timespec nap = {0, 10 * 1000 * 1000};
        nanosleep(&nap, NULL);
    }
    r->exited = WIFEXITED(status);
    r->exit_code = r->exited ? WEXITSTATUS(status) : -1;
    r->signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
    slurp(out_fd, r->out, sizeof(r->out));
    slurp(err_fd, r->err, sizeof(r->err));
    return r;
}

run_result_t *run_minemeter(const char *const args[])
{
    const char *argv[64];
    size_t n = 0;
    argv[n++] = MINEMETER_BIN;
    for (size_t i = 0; args[i] != NULL; i++) {
        cr_assert_lt(n + 1, sizeof(argv) / sizeof(argv[0]));
        argv[n++] = args[i];
    }
    argv[n] = NULL;
    /* Emulated (scripts/check-aarch64.sh sets the scale), everything takes longer. */
    const char *scale = getenv("MINEMETER_TEST_TIME_SCALE");
    unsigned times = scale != NULL ? (unsigned)strtoul(scale, NULL, 10) : 1;
    return run_command(argv, NULL, 60 * (times >= 1 && times <= 10 ? times : 1));
}

void run_result_free(run_result_t *r)
{
    free(r);
}

size_t count_lines(const char *text)
{
    size_t lines = 0;
    const char *p = text;
    while (*p != '\0') {
        const char *nl = strchr(p, '\n');
        lines++;
        if (nl == NULL)
            break;
        p = nl + 1;
    }
    return lines;
}

void expect_usage_error(const char *const args[], const char *needle)
{
    run_result_t *r = run_minemeter(args);
    cr_expect(r->exited, "killed by signal %d", r->signal);
    cr_expect_eq(r->exit_code, 2, "exit code %d, stderr: %s", r->exit_code, r->err);
    cr_expect_eq(count_lines(r->err), 1, "want one line on stderr, got: %s", r->err);
    cr_expect_not_null(strstr(r->err, needle), "'%s' not in: %s", needle, r->err);
    cr_expect_str_eq(r->out, "", "nothing on stdout for an error");
    run_result_free(r);
}

unsigned count_occurrences(const char *text, const char *needle)
{
    unsigned n = 0;
    for (const char *p = strstr(text, needle); p != NULL; p = strstr(p + 1, needle))
        n++;
    return n;
}
