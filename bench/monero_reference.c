#define _GNU_SOURCE
#include "config.h"
#include "bench/monero_reference.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "arch/clock.h"

#define VECTOR_DIR "/usr/share/monero/testdata/hash"

static const struct {
    const char *algo, *function, *file;
} tool_functions[] = {
    {"cn/0", "slow", "tests-slow.txt"},
    {"cn/1", "slow-1", "tests-slow-1.txt"},
    {"cn/2", "slow-2", "tests-slow-2.txt"},
    {"cn/r", "slow-4", "tests-slow-4.txt"},
};

static int find(const char *algo)
{
    for (size_t i = 0; i < sizeof(tool_functions) / sizeof(tool_functions[0]); i++) {
        if (strcmp(tool_functions[i].algo, algo) == 0)
            return (int)i;
    }
    return -1;
}

int bench_monero_reference_has(const char *algo)
{
    return find(algo) >= 0;
}

static unsigned count_lines(const char *path)
{
    FILE *fp = fopen(path, "r");
    if (fp == NULL)
        return 0;
    unsigned lines = 0;
    int c, last = '\n';
    while ((c = fgetc(fp)) != EOF) {
        if (c == '\n' && last != '\n')
            lines++;
        last = c;
    }
    if (last != '\n')
        lines++;
    fclose(fp);
    return lines;
}

int bench_monero_reference(const char *algo, int pu, bench_reference_t *out, char *why,
                           size_t why_len)
{
    memset(out, 0, sizeof(*out));
    int i = find(algo);
    if (i < 0) {
        snprintf(why, why_len, "Monero's hash tool has no %s", algo);
        return -ENOENT;
    }
    char file[256];
    snprintf(file, sizeof(file), "%s/%s", VECTOR_DIR, tool_functions[i].file);
    if (access(BENCH_MONERO_HASH_TESTS, X_OK) != 0 || access(file, R_OK) != 0) {
        snprintf(why, why_len,
                 "Monero's reference tool is not installed "
                 "(apt-get install monero-tests)");
        return -ENOENT;
    }
    out->lines = count_lines(file);

    uint64_t start = arch_clock_ns();
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(why, why_len, "cannot start the reference tool: %s", strerror(errno));
        return -EIO;
    }
    if (pid == 0) {
        if (pu >= 0) {
            cpu_set_t set;
            CPU_ZERO(&set);
            CPU_SET((size_t)pu, &set);
            sched_setaffinity(0, sizeof(set), &set);
        }
        setenv("MONERO_USE_CNV4_JIT", "0", 1);
        int null = open("/dev/null", O_WRONLY);
        if (null >= 0) {
            dup2(null, 1);
            dup2(null, 2);
        }
        execl(BENCH_MONERO_HASH_TESTS, BENCH_MONERO_HASH_TESTS, tool_functions[i].function, file,
              (char *)NULL);
        _exit(127);
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    out->seconds = (double)(arch_clock_ns() - start) / 1e9;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        snprintf(why, why_len, "the reference tool failed on %s (status %d)",
                 tool_functions[i].file, status);
        return -EIO;
    }
    if (out->lines > 0)
        out->seconds_per_hash = out->seconds / out->lines;
    return 0;
}
