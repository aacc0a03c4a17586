/*
 * Running `minemeter load` in the background from a test, reading its
 * process CPU time from /proc (from outside, as a detector would), and
 * reading its JSON-lines log, which must hold whole JSON objects only.
 */
#ifndef MINEMETER_TESTS_LOAD_RUN_H
#define MINEMETER_TESTS_LOAD_RUN_H

#include <jansson.h>
#include <stddef.h>
#include <sys/types.h>

/* Starts `minemeter load ARGS` with its output discarded. */
pid_t load_spawn(const char *const args[]);

/* Waits for pid to exit normally and returns its exit code (fails the test otherwise). */
int load_wait_exit(pid_t pid);

/* utime + stime of pid in seconds, from /proc/PID/stat. */
double load_process_cpu_seconds(pid_t pid);

/* CLOCK_MONOTONIC in seconds. */
double load_now_s(void);

void load_nap(double seconds);

/* The log's lines as JSON objects (up to max); fails the test on any other line. */
size_t load_read_log(const char *path, json_t **lines, size_t max);

/* Whether the log holds an event of this name. */
int load_log_has_event(const char *path, const char *event);

/* Waits up to a minute for the event; fails the test without it. */
void load_wait_for_event(const char *path, const char *event);

#endif
