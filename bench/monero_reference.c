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

/* Runs the tool on file with function, pinned to pu; wall time in seconds. */
static int run_tool(const char *function, const char *file, int pu, int jit, double *seconds,
                    char *why, size_t why_len)
{
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
        setenv("MONERO_USE_CNV4_JIT", jit ? "1" : "0", 1);
        setenv("MONERO_USE_SOFTWARE_AES", "1", 1);
        int null = open("/dev/null", O_WRONLY);
        if (null >= 0) {
            dup2(null, 1);
            dup2(null, 2);
        }
        execl(BENCH_MONERO_HASH_TESTS, BENCH_MONERO_HASH_TESTS, function, file, (char *)NULL);
        _exit(127);
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    *seconds = (double)(arch_clock_ns() - start) / 1e9;
    if (WIFSIGNALED(status)) {
        snprintf(why, why_len, "the reference tool died of %s (signal %d) on %s",
                 strsignal(WTERMSIG(status)), WTERMSIG(status), file);
        return -EIO;
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        snprintf(why, why_len, "the reference tool failed on %s (exit %d)", file,
                 WIFEXITED(status) ? WEXITSTATUS(status) : -1);
        return -EIO;
    }
    return 0;
}

/* Writes the vector file BENCH_MONERO_REPEAT times into a new file in /tmp; path gets its name. */
static int write_repeated(const char *file, char *path, size_t path_len)
{
    snprintf(path, path_len, "/tmp/minemeter-monero-XXXXXX");
    int fd = mkstemp(path);
    if (fd < 0)
        return -errno;
    FILE *out = fdopen(fd, "w");
    FILE *in = fopen(file, "r");
    int rc = out != NULL && in != NULL ? 0 : -EIO;
    char line[4096];
    for (int k = 0; k < BENCH_MONERO_REPEAT && rc == 0; k++) {
        rewind(in);
        while (fgets(line, sizeof(line), in) != NULL) {
            /* Every line ends with a newline, the file's last one too. */
            size_t len = strlen(line);
            if (len > 1 || line[0] != '\n')
                fprintf(out, "%s%s", line, line[len - 1] == '\n' ? "" : "\n");
        }
    }
    if (in != NULL)
        fclose(in);
    if (out != NULL && fclose(out) != 0 && rc == 0)
        rc = -EIO;
    if (out == NULL)
        close(fd);
    if (rc != 0)
        unlink(path);
    return rc;
}

int bench_monero_reference(const char *algo, int pu, int jit, bench_reference_t *out, char *why,
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
    char repeated[64];
    if (out->lines == 0 || write_repeated(file, repeated, sizeof(repeated)) != 0) {
        snprintf(why, why_len, "cannot prepare the reference's input from %s", file);
        return -EIO;
    }
    int rc = run_tool(tool_functions[i].function, file, pu, jit, &out->seconds, why, why_len);
    if (rc == 0)
        rc = run_tool(tool_functions[i].function, repeated, pu, jit, &out->repeated_seconds, why,
                      why_len);
    unlink(repeated);
    if (rc != 0)
        return rc;
    double extra = out->repeated_seconds - out->seconds;
    if (!(extra > 0)) {
        snprintf(why, why_len, "the reference's repeated run was no slower than its single run");
        return -EIO;
    }
    out->seconds_per_hash = extra / ((double)(BENCH_MONERO_REPEAT - 1) * out->lines);
    return 0;
}
