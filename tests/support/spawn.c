#define _GNU_SOURCE
#include "tests/support/spawn.h"

#include <criterion/criterion.h>
#include <fcntl.h>
#include <signal.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/*
 * fork and exec rather than posix_spawn, for one thing posix_spawn cannot
 * do: the child dies with the test (PR_SET_PDEATHSIG), so a failed
 * assertion never leaves a miner running.
 */
/* In a child: a private mount namespace where hosts_file is /etc/hosts. 0 when done. */
static int remap_hosts(const char *hosts_file)
{
    return unshare(CLONE_NEWNS) == 0 && mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0 &&
                   mount(hosts_file, "/etc/hosts", NULL, MS_BIND, NULL) == 0
               ? 0
               : -1;
}

int spawn_can_remap_hosts(void)
{
    pid_t pid = fork();
    if (pid < 0)
        return 0;
    if (pid == 0)
        _exit(remap_hosts("/etc/hosts") == 0 ? 0 : 1);
    int status = 0;
    return waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* Forks and execs argv[0] with argv, its output to out; the child dies with the test. */
static pid_t spawn_argv(const char *const argv[], int out, const char *hosts_file)
{
    pid_t parent = getpid();
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent)
            _exit(127); /* the test is already gone */
        if (hosts_file != NULL && remap_hosts(hosts_file) != 0)
            _exit(126);
        int in = open("/dev/null", O_RDONLY | O_CLOEXEC);
        if (in < 0 || dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(out, 2) < 0)
            _exit(127);
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    return pid;
}

static pid_t spawn_with_hosts(const char *const args[], int out, const char *hosts_file)
{
    const char *argv[48] = {MINEMETER_BIN};
    size_t n = 1;
    for (size_t i = 0; args[i] != NULL && n < 47; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    return spawn_argv(argv, out, hosts_file);
}

pid_t spawn_process(const char *const args[], int out)
{
    return spawn_with_hosts(args, out, NULL);
}

/* Opens s's output file; returns its descriptor. */
static int open_output(spawned_t *s)
{
    static unsigned serial;
    snprintf(s->out_path, sizeof(s->out_path), "/tmp/minemeter-spawn-%d-%u.out", (int)getpid(),
             serial++);
    s->ended = 0;
    s->status = 0;
    int out = open(s->out_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    cr_assert_geq(out, 0);
    return out;
}

void spawn_minemeter_with_hosts(spawned_t *s, const char *hosts_file, const char *const args[])
{
    int out = open_output(s);
    s->pid = spawn_with_hosts(args, out, hosts_file);
    close(out);
}

void spawn_program(spawned_t *s, const char *const argv[])
{
    int out = open_output(s);
    s->pid = spawn_argv(argv, out, NULL);
    close(out);
}

void spawn_minemeter(spawned_t *s, const char *const args[])
{
    spawn_minemeter_with_hosts(s, NULL, args);
}

int spawn_stop(spawned_t *s, int signum, unsigned timeout_s)
{
    if (s->ended)
        return WIFEXITED(s->status) ? WEXITSTATUS(s->status) : 128 + WTERMSIG(s->status);
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

size_t spawn_output_length(const spawned_t *s)
{
    struct stat st;
    return stat(s->out_path, &st) == 0 ? (size_t)st.st_size : 0;
}

int spawn_wait_output(spawned_t *s, const char *needle, unsigned timeout_s)
{
    return spawn_wait_output_after(s, needle, 0, timeout_s);
}

int spawn_wait_output_after(spawned_t *s, const char *needle, size_t offset, unsigned timeout_s)
{
    for (unsigned waited = 0; waited <= timeout_s * 20; waited++) {
        char *out = spawn_output(s);
        int found = strlen(out) >= offset && strstr(out + offset, needle) != NULL;
        free(out);
        if (found)
            return 0;
        if (!s->ended && waitpid(s->pid, &s->status, WNOHANG) == s->pid)
            s->ended = 1;
        if (s->ended)
            return -1; /* it will say nothing more */
        struct timespec nap = {0, 50000000};
        nanosleep(&nap, NULL);
    }
    return -1;
}
