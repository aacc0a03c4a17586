#define _GNU_SOURCE
#include "tests/support/spawn.h"

#include <criterion/criterion.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

void spawn_minemeter(spawned_t *s, const char *const args[])
{
    static unsigned serial;
    const char *argv[48] = {MINEMETER_BIN};
    size_t n = 1;
    for (size_t i = 0; args[i] != NULL && n < 47; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    snprintf(s->out_path, sizeof(s->out_path), "/tmp/minemeter-spawn-%d-%u.out", (int)getpid(),
             serial++);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, s->out_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    cr_assert_eq(posix_spawn(&s->pid, MINEMETER_BIN, &fa, NULL, (char *const *)argv, environ), 0);
    posix_spawn_file_actions_destroy(&fa);
}

int spawn_stop(spawned_t *s, int signum, unsigned timeout_s)
{
    if (signum != 0)
        kill(s->pid, signum);
    int status = 0;
    for (unsigned waited = 0; waited < timeout_s * 20; waited++) {
        pid_t got = waitpid(s->pid, &status, WNOHANG);
        if (got == s->pid)
            return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        struct timespec nap = {0, 50000000};
        nanosleep(&nap, NULL);
    }
    kill(s->pid, SIGKILL);
    waitpid(s->pid, &status, 0);
    cr_expect(0, "minemeter did not stop within %u s", timeout_s);
    return 128 + SIGKILL;
}

char *spawn_output(const spawned_t *s)
{
    FILE *f = fopen(s->out_path, "r");
    cr_assert_not_null(f);
    size_t cap = 1 << 16, len = 0;
    char *buf = malloc(cap);
    cr_assert_not_null(buf);
    size_t got;
    while ((got = fread(buf + len, 1, cap - len - 1, f)) > 0) {
        len += got;
        if (len + 1 == cap) {
            cap *= 2;
            buf = realloc(buf, cap);
            cr_assert_not_null(buf);
        }
    }
    fclose(f);
    buf[len] = '\0';
    return buf;
}

void spawn_cleanup(spawned_t *s)
{
    unlink(s->out_path);
}

int spawn_wait_output(const spawned_t *s, const char *needle, unsigned timeout_s)
{
    for (unsigned waited = 0; waited <= timeout_s * 20; waited++) {
        char *out = spawn_output(s);
        int found = strstr(out, needle) != NULL;
        free(out);
        if (found)
            return 0;
        struct timespec nap = {0, 50000000};
        nanosleep(&nap, NULL);
    }
    return -1;
}
