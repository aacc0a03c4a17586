/*
 * Children minemeter starts (a power meter's readings, a victim command):
 * in a process group of their own, so a timeout or a stop ends everything
 * they started and Ctrl-C at the terminal reaches only minemeter, which
 * then stops them; with no signal blocked and SIGPIPE, SIGINT and SIGTERM
 * at their defaults, whatever minemeter's own threads hold.
 */
#ifndef MINEMETER_ARCH_CHILD_PROCESS_H
#define MINEMETER_ARCH_CHILD_PROCESS_H

#include <spawn.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Initialises attr as above; the caller destroys it after posix_spawn. */
void arch_child_attr_init(posix_spawnattr_t *attr);

/*
 * Kills the child pid and its process group. Both, because where
 * posix_spawn cannot wait for the child's exec (an emulator's vfork is a
 * fork) the child may not have made its group yet.
 */
void arch_child_kill(pid_t pid);

/* What to run, and what to keep of its output. */
typedef struct {
    const char *path;  /* the executable (no $PATH search: see arch_child_find) */
    char *const *argv; /* argv[0] included, NULL-ended */
    int pu;            /* pin the child to this PU (OS index); -1: this thread's affinity */
    uint64_t timeout_ns;
    /* Polled at least every 50 ms: when it returns non-zero, the child is killed. NULL: never. */
    int (*stop)(void *context);
    void *context;
    /* Told the child's pid once it runs (NULL: not told). */
    void (*spawned)(void *context, pid_t pid);
    char *out; /* stdout, NUL-terminated, its first out_cap - 1 bytes; NULL: /dev/null */
    size_t out_cap;
    char *err; /* stderr likewise; NULL: /dev/null */
    size_t err_cap;
    int err_tail; /* keep stderr's last bytes rather than its first */
} arch_child_spec_t;

typedef struct {
    int status;             /* as waitpid gives it */
    int timed_out, stopped; /* killed at the timeout, or because stop asked */
    double wall_seconds;
    double cpu_seconds; /* user + system, the child and the children it waited for */
} arch_child_result_t;

/*
 * Runs spec's child to its end: reads its output as it comes, kills it
 * (and its group) at the timeout or when stop asks, reaps it, then kills
 * whatever it left behind in its group. Only this call signals the child,
 * and only before it is reaped. Returns 0 when it ran (see out), or a
 * negative errno when it could not be started.
 */
int arch_child_run(const arch_child_spec_t *spec, arch_child_result_t *out);

/* The first executable called name in $PATH, into path: 0, or -ENOENT. */
int arch_child_find(const char *name, char *path, size_t cap);

#endif
