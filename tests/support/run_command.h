/*
 * Running a program (usually the minemeter binary) from a test and keeping
 * what it printed and how it ended.
 */
#ifndef MINEMETER_TESTS_RUN_COMMAND_H
#define MINEMETER_TESTS_RUN_COMMAND_H

#include <stddef.h>

#define RUN_OUTPUT_MAX 65536

typedef struct {
    int exited;               /* 1 when the program exited normally. */
    int exit_code;            /* Its exit code when it did. */
    int signal;               /* The signal that killed it, when it did not. */
    char out[RUN_OUTPUT_MAX]; /* Standard output, NUL-terminated, truncated. */
    char err[RUN_OUTPUT_MAX]; /* Standard error, likewise. */
} run_result_t;

/*
 * Runs argv (argv[0] is the program path, the list ends with NULL) with
 * stdin_text on its standard input (NULL for /dev/null) and waits at most
 * timeout_s seconds, killing it after that. Fails the test on any setup
 * error. The result is heap-allocated; free it with run_result_free.
 */
run_result_t *run_command(const char *const argv[], const char *stdin_text, unsigned timeout_s);

/*
 * Runs the minemeter binary under test with the given arguments (NULL-ended),
 * for at most 60 s times $MINEMETER_TEST_TIME_SCALE (1 to 10; emulation).
 */
run_result_t *run_minemeter(const char *const args[]);

void run_result_free(run_result_t *r);

/* A NULL-terminated argument list for run_minemeter. */
#define ARGS(...) ((const char *const[]){__VA_ARGS__, NULL})

/*
 * Runs minemeter and expects a usage error: exit code 2, exactly one line on
 * stderr containing needle, nothing on stdout, no signal.
 */
void expect_usage_error(const char *const args[], const char *needle);

/* Number of lines in text (a last line without '\n' counts). */
size_t count_lines(const char *text);

/* How many times needle occurs in text (overlapping ones too). */
unsigned count_occurrences(const char *text, const char *needle);

#endif
