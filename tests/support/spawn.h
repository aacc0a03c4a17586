/*
 * Running the minemeter binary in the background from a test: its output
 * goes to a file the test reads while it runs, and the test stops it with
 * a signal when it has seen enough.
 */
#ifndef MINEMETER_TESTS_SPAWN_H
#define MINEMETER_TESTS_SPAWN_H

#include <stddef.h>
#include <sys/types.h>

typedef struct {
    pid_t pid;
    char out_path[96]; /* stdout and stderr, interleaved */
    int ended;         /* reaped already (spawn_wait_output saw it end) */
    int status;        /* its wait status, when ended */
} spawned_t;

/*
 * Forks and execs minemeter with args (NULL-ended, without the program
 * name), stdin from /dev/null, stdout and stderr to out. The child dies
 * with the test (PR_SET_PDEATHSIG), so a failed assertion never leaves it
 * running. Returns its pid.
 */
pid_t spawn_process(const char *const args[], int out);

/* Starts minemeter with args (NULL-ended, without the program name), its output to a file. */
void spawn_minemeter(spawned_t *s, const char *const args[]);

/* Starts another program (argv[0] its path, NULL-ended) the same way: a Prometheus, say. */
void spawn_program(spawned_t *s, const char *const argv[]);

/*
 * Whether this machine lets a child see another file as /etc/hosts (a
 * private mount namespace: root, or CAP_SYS_ADMIN).
 */
int spawn_can_remap_hosts(void);

/* spawn_minemeter, with hosts_file as the child's /etc/hosts (check spawn_can_remap_hosts). */
void spawn_minemeter_with_hosts(spawned_t *s, const char *hosts_file, const char *const args[]);

/*
 * Sends signum (0: none) and waits at most timeout_s for the exit, then
 * SIGKILLs. Returns the exit code, or 128 + the signal that ended it.
 */
int spawn_stop(spawned_t *s, int signum, unsigned timeout_s);

/* What it printed so far (malloc'ed, NUL-terminated). */
char *spawn_output(const spawned_t *s);

/*
 * Waits at most timeout_s until the output contains needle; returns 0 then,
 * else -1 (at once when the program has ended: see ended and status).
 */
int spawn_wait_output(spawned_t *s, const char *needle, unsigned timeout_s);

/* How many bytes it has printed so far: a mark for spawn_wait_output_after. */
size_t spawn_output_length(const spawned_t *s);

/* spawn_wait_output, looking only at what it printed from byte offset on. */
int spawn_wait_output_after(spawned_t *s, const char *needle, size_t offset, unsigned timeout_s);

/* Removes the output file. */
void spawn_cleanup(spawned_t *s);

#endif
